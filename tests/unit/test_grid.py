"""Grid files: axes, ranges, keys, and one-line errors for every kind of bad grid."""

import pytest

from clverify.numerics.descent.grid import parse_grid, read_grid
from clverify.theory.errors import InvalidParameterError


def test_axes_expand_in_a_fixed_order_with_d_equal_to_N():
    grid = parse_grid('N = [5, 4]\nd = [2, "N"]\nt = 1.0\nb = [0.5, 1.5]\nseeds = [7, 8]\nrestarts = 2')
    assert [(c.N, c.d, c.param_dict["b"], c.seed) for c in grid[:5]] == [
        (5, 2, 0.5, 7), (5, 2, 0.5, 8), (5, 2, 1.5, 7), (5, 2, 1.5, 8), (5, 5, 0.5, 7)]
    assert len(grid) == 2 * 2 * 2 * 2 and {c.restarts for c in grid} == {2}


@pytest.mark.parametrize("text, values", [
    ("{start = 1, stop = 7, step = 3}", [1, 4, 7]),
    ("{start = 2, stop = 4}", [2, 3, 4]),
    ("{start = 0.5, stop = 1.0, step = 0.25}", [0.5, 0.75, 1.0]),
    ("{start = 0, stop = 1, num = 3}", [0.0, 0.5, 1.0]),
    ("{start = 1, stop = 100, num = 3, scale = \"log\"}", [1.0, 10.0, 100.0]),
])
def test_ranges_include_their_stop(text, values):
    grid = parse_grid(f"N = 4\nt = 1.0\nb = {text}")
    assert [c.param_dict["b"] for c in grid] == pytest.approx(values, rel=1e-15)


def test_key_does_not_depend_on_how_a_number_is_written():
    a = parse_grid("N = 4\nt = 2\nb = 1")[0]
    b = parse_grid("N = 4.0\nt = 2.0\nb = 1.0\nseeds = 0")[0]
    assert a.key == b.key and a == b


def test_defaults_fill_a_losss_parameters_and_the_solver_settings():
    (c,) = parse_grid('loss = "infonce-sym"\nN = 4')
    assert c.param_dict == {"tau": 0.3} and c.tol == 1e-9 and c.max_iter == 50000


def test_parameters_go_to_the_losses_that_take_them():
    grid = parse_grid('loss = ["sigmoid", "infonce"]\nN = 4\nt = 1.0\nb = 1.0\ntau = [0.1, 0.2]')
    assert [(c.loss, c.param_dict) for c in grid] == [
        ("sigmoid", {"b": 1.0, "t": 1.0}), ("infonce", {"tau": 0.1}), ("infonce", {"tau": 0.2})]


def test_points_vary_parameters_together():
    grid = parse_grid("N = [4, 5]\npoints = [{t = 10.0, b = 10.0}, {t = 117.8, b = 12.9}]")
    assert [(c.N, c.param_dict["t"], c.param_dict["b"]) for c in grid] == [
        (4, 10.0, 10.0), (4, 117.8, 12.9), (5, 10.0, 10.0), (5, 117.8, 12.9)]


BAD_GRIDS = [
    ("N = [4\n", "not valid TOML"),
    ("t = 1.0\nb = 1.0", "N is required"),
    ("N = 1\nt = 1.0\nb = 1.0", "N must be an integer >= 2"),
    ("N = 4.5\nt = 1.0\nb = 1.0", "values must be integers"),
    ("N = []\nt = 1.0\nb = 1.0", "empty list"),
    ("N = 4\nd = 0\nt = 1.0\nb = 1.0", "d must be"),
    ("N = 4\nd = \"M\"\nt = 1.0\nb = 1.0", "values must be integers"),
    ("N = 4\nt = 1.0\nb = 1.0\nalpha = 3", "unknown key(s) alpha"),
    ("N = 4\nt = 1.0\nb = 1.0\ntau = 0.3", "unknown key(s) tau"),
    ("N = 4\nloss = \"hinge\"", "unknown loss 'hinge'"),
    ("N = 4\nb = 1.0", "needs parameter(s) t"),
    ("N = 4\nt = -1.0\nb = 1.0", "t must be"),
    ("N = 4\nt = 1.0\nb = {start = 2, stop = 1}", "stop must be >= start"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, step = 0}", "step must be a finite number > 0"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, num = 0}", "num must be an integer >= 1"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, num = 2, step = 1}", "step or num, not both"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, scale = \"log\"}", "log range needs num"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, num = 2, scale = \"log\"}", "start > 0"),
    ("N = 4\nt = 1.0\nb = {stop = 1}", "needs start and stop"),
    ("N = 4\nt = 1.0\nb = {start = 0, stop = 1, by = 2}", "unknown range key(s) by"),
    ("N = 4\nt = 1.0\nb = [[1.0]]", "numbers or strings"),
    ("N = 4\nt = 1.0\nb = 1.0\ntol = [1e-9]", "solver setting"),
    ("N = 4\nt = 1.0\npoints = [{b = 1.0, t = 2.0}]", "t given both in points and as an axis"),
    ("N = 4\npoints = [{t = 1.0, b = 1.0, tau = 0.5}]", "unknown key(s) tau"),
    ("N = 4\npoints = []", "non-empty list of tables"),
    ("N = 4\npoints = [{t = [1.0], b = 1.0}]", "one number in each point"),
    ("N = 4\nt = 1.0\nb = 1.0\ntol = 0", "tol must be a finite number > 0"),
    ("N = 4\nt = 1.0\nb = 1.0\nmax_iter = 0", "max_iter must be an integer >= 1"),
    ("N = 4\nt = 1.0\nb = 1.0\nrestarts = 0", "restarts must be an integer >= 1"),
    ("N = {start = 2, stop = 100000}\nt = 1.0\nb = {start = 0, stop = 1000, num = 1000}",
     "more than 10000000"),
]


@pytest.mark.parametrize("text, message", BAD_GRIDS, ids=[m for _, m in BAD_GRIDS])
def test_bad_grids_are_one_line_errors_naming_the_problem(text, message):
    with pytest.raises(InvalidParameterError) as info:
        parse_grid(text, source="g.toml")
    assert message in str(info.value) and str(info.value).startswith("g.toml")
    assert "\n" not in str(info.value)


def test_unreadable_grid_file(tmp_path):
    with pytest.raises(InvalidParameterError, match="cannot read"):
        read_grid(tmp_path)            # a directory
