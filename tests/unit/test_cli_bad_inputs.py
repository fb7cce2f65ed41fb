"""Every command refuses bad input the same way: exit code 2, exactly one line on stderr
(``clverify: error: ...``), no traceback, nothing on stdout, nothing written, and at once
(each case has a timeout of :data:`REFUSAL_TIMEOUT` seconds: a hang fails, it is not waited for).

Each case runs in a fresh working folder that holds a regular file ``afile``, a folder ``adir``,
a folder named like a figure, ``adir.png``, and the files of :data:`FILES` (loss files that exit
or print, grid files); the folder's listing (recursively) must be the same afterwards.
``{unwritable}`` stands for a folder nobody may write in (a read-only mount, or a folder without
write permission when not running as root).
"""

import os
import pathlib
import shlex
import tempfile

import pytest
from click.testing import CliRunner

from clverify.proofs_check.cli import main
from clverify.proofs_check.cli.output import _writable_folder

RUNNER = CliRunner()
#: Seconds a refusal may take (imports of torch and dask.distributed included, on a busy machine).
REFUSAL_TIMEOUT = 120
_LOSS = "def mine(grams, ops, *, t):\n    return grams.uv.sum_diagonal(lambda s: ops.softplus(-t * s))\n"
#: Files written into each case's folder before it runs.
FILES = {
    "exits.py": "import sys\nsys.exit(0)\n" + _LOSS,
    "raises_exit.py": "raise SystemExit('bye')\n" + _LOSS,
    "prints.py": "print('hello from a loss file')\n" + _LOSS,
    "exits_when_called.py": "import sys\ndef mine(grams, ops, *, t):\n    sys.exit(0)\n",
    "grid.toml": "N = 4\nt = 1.0\nb = 1.0\nrestarts = 1\n",
    "seeds.toml": "N = 4\nt = 1.0\nb = 1.0\nseeds = -1\n",
    "seed_range.toml": "N = 4\nt = 1.0\nb = 1.0\nseeds = {start = -2, stop = 1}\n",
    "huge.toml": "N = 10000000\nd = 2\nt = 1.0\nb = 1.0\n",
    "d1.toml": "N = [4, 31]\nd = 1\nt = 1.0\nb = 1.0\n",
}

#: (command line, a fragment the one-line message must contain).
BAD_INPUTS = [
    # the groups themselves
    ("", "a command is required"),
    ("nosuch", "No such command 'nosuch'"),
    ("--bogus", "No such option"),
    ("bench", "a command is required, one of sweep"),
    ("bench nosuch", "No such command"),
    ("cite extra", "unexpected extra argument"),
    ("cite --bogus", "bogus"),
    # thresholds
    ("thresholds --N 2", "N must be an integer >= 3, got '2'"),
    ("thresholds --N 3.5", "got '3.5'"),
    ("thresholds --N abc", "got 'abc'"),
    ("thresholds --N 1e7", "got '1e7'"),
    ("thresholds --N -5", "got '-5'"),
    ("thresholds --N ''", "got ''"),
    ("thresholds", "N must be given"),
    ("thresholds --N 10 --digits 5", "digits must be an integer in [15, 10000], got '5'"),
    ("thresholds --N 10 --digits 10001", "got '10001'"),
    ("thresholds --N 10 --digits abc", "got 'abc'"),
    ("thresholds --N 10 --digits 20.5", "got '20.5'"),
    ("thresholds --N-range 2:10", "N-range must be A:B"),
    ("thresholds --N-range 10:4", "N-range"),
    ("thresholds --N-range a:b", "N-range"),
    ("thresholds --N-range 4", "N-range"),
    ("thresholds --N-range 4:100000000000", "N-range"),
    ("thresholds --N 10 --format xml", "format must be one of md, csv, latex, json; got 'xml'"),
    ("thresholds --N 10 --out ''", "out must be a file path, got ''"),
    ("thresholds --N 10 --out adir", "not a folder"),
    ("thresholds --N 10 --out afile/x.md", "'afile' is a file"),
    ("thresholds --N 10 --out nodir/x.md", "'nodir' does not exist"),
    ("thresholds --N 10 --out {unwritable}/x.md", "is not writable"),
    ("thresholds --N 10 --bogus", "bogus"),
    ("thresholds --N " + "9" * 5000, "N must be an integer of at most 1000 digits"),
    # phase
    ("phase --N 10", "t is required"),
    ("phase --N 10 --t nan", "t must be a finite real number > 0, got 'nan'"),
    ("phase --N 10 --t inf", "got 'inf'"),
    ("phase --N 10 --t -1", "got '-1'"),
    ("phase --N 10 --t 0", "got '0'"),
    ("phase --N 10 --t abc", "t must be a real number, got 'abc'"),
    ("phase --N 2 --t 1", "N must be an integer >= 3"),
    ("phase --N 10 --t 1 --digits 14", "digits"),
    ("phase --N 10 --t 1 --out ''", "out must be a file path"),
    # optimum
    ("optimum --N 10 --t 1", "b is required"),
    ("optimum --N 10 --t 0 --b 1", "t must be a finite real number > 0, got '0'"),
    ("optimum --N 10 --t -1e-5 --b 1", "got '-1e-5'"),
    ("optimum --N 10 --t 1 --b nan", "b must be a finite real number, got 'nan'"),
    ("optimum --N 10 --t 1 --b -inf", "got '-inf'"),
    ("optimum --N 2 --t 1 --b 1", "N must be an integer >= 3, got '2'"),
    ("optimum --N 1e3 --t 1 --b 1", "got '1e3'"),
    ("optimum --N 10 --t 1 --b 1 --digits 0", "digits"),
    ("optimum --N 10 --t 1,5 --b 1", "got '1,5'"),
    ("optimum --N 10 --t 1 --b 1 --out afile/o.md", "is a file"),
    ("optimum --N 10 --t 1e5000 --b 0", "t must be 0 or of magnitude in [1e-1000, 1e1000], got '1e5000'"),
    ("optimum --N 10 --t 1 --b -1e2000", "b must be 0 or of magnitude in [1e-1000, 1e1000]"),
    ("phase --N 10 --t 1e-1001", "got '1e-1001'"),
    # derive
    ("derive --loss hinge", "loss must be one of sigmoid; got 'hinge'"),
    ("derive --format md", "format must be one of text, latex, json"),
    ("derive --out ''", "out must be a file path"),
    ("derive --out afile/x.tex", "is a file"),
    ("derive --out {unwritable}/x.tex", "is not writable"),
    # gd
    ("gd --t 1 --b 1", "N is required"),
    ("gd --N 1 --t 1 --b 1", "N must be an integer >= 2, got '1'"),
    ("gd --N x --t 1 --b 1", "got 'x'"),
    ("gd --N 4 --d 0 --t 1 --b 1", "d must be an integer >= 1, got '0'"),
    ("gd --N 4 --d -1 --t 1 --b 1", "got '-1'"),
    ("gd --N 4 --t nan --b 1", "t must be a finite real number > 0, got 'nan'"),
    ("gd --N 4 --t 0 --b 1", "got '0'"),
    ("gd --N 4 --t -1 --b 1", "got '-1'"),
    ("gd --N 4 --t 1e400 --b 1", "t must be of magnitude <= 1.8e+308 to be a float64, got '1e400'"),
    ("gd --N 4 --t 1e-400 --b 1", "t must be 0 or of magnitude >= 4.9e-324 to be a float64, got '1e-400'"),
    ("gd --N 4 --t 1 --b inf", "b must be a finite real number, got 'inf'"),
    ("gd --N 4 --t 1", "needs parameter(s) b"),
    ("gd --N 4 --loss nosuch", "loss must be one of"),
    ("gd --N 4 --loss infonce --tau 0", "tau must be a finite real number > 0, got '0'"),
    ("gd --N 4 --loss infonce --tau abc", "tau must be a real number, got 'abc'"),
    ("gd --N 4 --t 1 --b 1 --param foo", "--param must look like NAME=VALUE, got 'foo'"),
    ("gd --N 4 --loss kcl --param gamma=abc", "gamma must be a real number, got 'abc'"),
    ("gd --N 4 --t 1 --b 1 --param nosuch=1", "takes parameters t, b; got nosuch"),
    ("gd --N 4 --t 1 --b 1 --param t=2", "--param t is also given as --t; give each parameter once"),
    ("gd --N 4 --loss kcl --param gamma=1 --param gamma=2", "--param gamma is given twice ('1' and '2')"),
    ("gd --N 4 --t 1 --b 1 --restarts 0", "restarts must be an integer >= 1, got '0'"),
    ("gd --N 4 --t 1 --b 1 --max-iter 0", "max-iter must be an integer >= 1"),
    ("gd --N 4 --t 1 --b 1 --tol 0", "tol must be a finite real number > 0, got '0'"),
    ("gd --N 4 --t 1 --b 1 --tol -1", "got '-1'"),
    ("gd --N 4 --t 1 --b 1 --tol 1e-400", "got '1e-400'"),
    ("gd --N 4 --t 1 --b 1 --seed -1", "seed must be an integer in [0, 9223372036854775807], got '-1'"),
    ("gd --N 4 --t 1 --b 1 --seed 1e3", "got '1e3'"),
    ("gd --N 4 --t 1 --b 1 --seed 9223372036854775808", "seed must be an integer in"),
    ("gd --N 4 --t 1 --b 1 --threads 0", "threads must be an integer >= 1"),
    ("gd --N 4 --t 1 --b 1 --device tpu", "device must be one of auto, cpu, cuda; got 'tpu'"),
    ("gd --N 4 --t 1 --b 1 --optimizer adam", "optimizer must be one of batched, torch-lbfgs"),
    ("gd --N 4 --t 1 --b 1 --format xml", "format must be one of"),
    ("gd --N 4 --t 1 --b 1 --out ''", "out must be a file path"),
    ("gd --N 4 --t 1 --b 1 --out adir", "not a folder"),
    ("gd --N 4 --t 1 --b 1 --out nodir/gd.json", "does not exist"),
    ("gd --N 10000000 --d 2 --t 1 --b 1", "N = 10000000, d = 2 (3 problems, similarities summed by row blocks) needs about"),
    ("gd --N 5 --d 1000000000 --t 1 --b 1", "d = 1000000000 (3 problems, dense N x N similarities) needs about"),
    ("gd --N 5 --d 1000000000 --t 1 --b 1 --optimizer torch-lbfgs", "needs about"),
    ("gd --N 5 --t 1 --b 1 --max-memory 1e-9", "the limit is 1 bytes"),
    ("gd --N 5 --t 1 --b 1 --max-memory 0", "max-memory must be a finite real number > 0"),
    ("gd --N 31 --d 1 --t 1 --b 1", "N must be an integer in [2, 30] for d = 1"),
    ("gd --N 4 --t 1 --b 1 --bogus", "bogus"),
    # bench sweep
    ("bench sweep --restarts 0", "restarts must be an integer >= 1"),
    ("bench sweep --tol 0", "tol must be a finite real number > 0"),
    ("bench sweep --max-iter 0", "max-iter"),
    ("bench sweep --threads 0", "threads"),
    ("bench sweep --device tpu", "device must be one of"),
    ("bench sweep --format xml", "format"),
    ("bench sweep --out ''", "out must be a file path"),
    ("bench sweep --out afile/b.json", "is a file"),
    ("bench sweep --bogus", "bogus"),
    # figure
    ("figure", "out is required"),
    ("figure --out fig.txt", "out must end in .png or .pdf, got 'fig.txt'"),
    ("figure --out ''", "out must be a file path"),
    ("figure --out nodir/fig.png", "does not exist"),
    ("figure --out afile/fig.png", "is a file"),
    ("figure --out adir.png", "not a folder"),
    ("figure --out {unwritable}/fig.png", "is not writable"),
    ("figure --phase --N 2 --out f.png", "N must be an integer >= 3"),
    ("figure --out f.png --steps 0", "steps must be an integer >= 1"),
    ("figure --out f.png --restarts 0", "restarts"),
    ("figure --out f.png --seed -3", "seed"),
    ("figure --out f.png --threads 0", "threads"),
    # gap-table
    ("gap-table --N 2,4", "N must be an integer >= 3, got '2'"),
    ("gap-table --N a,b", "got 'a'"),
    ("gap-table --N ''", "got ''"),
    ("gap-table --N 6,10 --tb 0", "tb must be a finite real number > 0, got '0'"),
    ("gap-table --tb -1", "got '-1'"),
    ("gap-table --tb nan", "got 'nan'"),
    ("gap-table --tb a,1", "tb must be a real number, got 'a'"),
    ("gap-table --restarts 0", "restarts"),
    ("gap-table --tol 0", "tol"),
    ("gap-table --max-iter 0", "max-iter"),
    ("gap-table --out ''", "out must be a file path"),
    # minimum
    ("minimum --N 5", "loss is required"),
    ("minimum --loss nosuch --N 5", "loss must be one of"),
    ("minimum --loss dhel --N 1", "N must be an integer >= 2, got '1'"),
    ("minimum --loss dhel --N x", "got 'x'"),
    ("minimum --loss dhel --N 5 --tau 0", "tau must be a finite real number > 0, got '0'"),
    ("minimum --loss dhel --N 5 --tau -1", "got '-1'"),
    ("minimum --loss dhel --N 5 --tau nan", "got 'nan'"),
    ("minimum --loss dhel --N 5 --tau abc", "tau must be a real number, got 'abc'"),
    ("minimum --loss infonce --N 5 --tau 1e-310", "tau must be a fraction of integers below 10^310"),
    ("minimum --loss kcl --N 5 --kernel nosuch", "kernel must be one of"),
    ("minimum --loss kcl --N 5 --kernel-t 0", "t must be a finite real number > 0, got '0'"),
    ("minimum --loss kcl --N 5 --gamma -1", "gamma must be a finite real number > 0, got '-1'"),
    ("minimum --loss kcl --N 5 --kernel riesz --kernel-t 1", "t must be < 0 for the riesz kernel"),
    ("minimum --loss dhel --N 5 --structure cube", "structure must be one of"),
    ("minimum --loss dhel --N 5 --digits 5", "digits must be an integer in [15, 10000]"),
    ("minimum --loss dhel --N 5 --out ''", "out must be a file path"),
    # losses-table
    ("losses-table --out ''", "out must be a file path"),
    ("losses-table --out afile/l.md", "is a file"),
    ("losses-table --out nodir/l.md", "does not exist"),
    ("losses-table --out {unwritable}/l.md", "is not writable"),
    ("losses-table --bogus", "bogus"),
    # check
    ("check --only nosuch.id", "only must name registered theorem ids; unknown: nosuch.id"),
    ("check --only-paper nosuch", "only-paper must be one of"),
    ("check --format xml", "format must be one of"),
    ("check --out ''", "out must be a file path"),
    ("check --out adir", "not a folder"),
    ("check --catalogue ''", "catalogue must be a file path"),
    ("check --catalogue afile/t.md", "catalogue must be in a folder ('afile' is a file)"),
    ("check --catalogue {unwritable}/t.md", "is not writable"),
    # analyse
    ("analyse --N 5", "loss is required"),
    ("analyse --loss nosuch --N 5", "loss must be one of"),
    ("analyse --loss sigmoid --N 5 --param t", "--param must look like NAME=VALUE, got 't'"),
    ("analyse --loss sigmoid --N 5 --param m=1 --param m=2", "--param m is given twice ('1' and '2'); give each parameter once"),
    ("analyse --loss sigmoid --N 5 --param t=1 --param b=1 --sweep-param b --range 0:1",
     "--param b is also given as --sweep-param; give each parameter once"),
    ("analyse --loss sigmoid --N 5 --loss-file nofile.py", "loss-file"),
    ("analyse --loss-file exits.py --loss mine --N 5 --param t=1", "importing it exits (SystemExit: 0)"),
    ("analyse --loss-file raises_exit.py --loss mine --N 5 --param t=1", "importing it exits (SystemExit: 'bye')"),
    ("analyse --loss-file prints.py --loss mine --N 5 --param t=1", "importing it printed 'hello from a loss file'"),
    ("analyse --loss-file exits_when_called.py --loss mine --N 5 --param t=1", "failed on the sympy backend (SystemExit: 0)"),
    ("analyse --loss sigmoid --N 31 --d 1 --param t=1 --param b=1", "N must be an integer in [2, 30] for d = 1"),
    ("analyse --loss sigmoid --N 10000000 --param t=1 --param b=1", "N = 10000000, d = 10000000 (3 problems"),
    ("analyse --loss sigmoid --N 5 --out ''", "out must be a file path, got ''"),
    ("analyse --loss sigmoid --N 5 --out afile/a.json", "'afile' is a file"),
    # advise
    ("advise --N 10 --t 1 --b 1", "convention is required"),
    ("advise --N 10 --t 0 --b 1 --convention paper", "t must be a finite real number > 0, got '0'"),
    ("advise --N 10 --t 1 --b 1e2000 --convention siglip", "b must be 0 or of magnitude in [1e-1000, 1e1000]"),
    ("advise --N 2 --t 1 --b 1 --convention paper", "N must be an integer >= 3, got '2'"),
    ("advise --N 10 --t 1 --b 1 --convention SigLIP", "convention must be one of paper, siglip"),
    ("advise --N 10 --t 1 --b 1 --convention paper --digits 5", "digits must be an integer in [15, 10000]"),
    ("advise --N 10 --t 1 --b 1 --convention paper --out ''", "out must be a file path"),
    # margins
    ("margins --N 1", "N must be an integer >= 2"),
    ("margins --N 10000000 --d 10 --steps 1", "N = 10000000, d = 10 (1 problem, dense N x N similarities) needs about"),
    ("margins --N 100 --seeds 0 1 2 --max-memory 1e-9", "(3 problems, dense N x N similarities)"),
    ("margins --max-memory 0", "max-memory must be a finite real number > 0"),
    ("margins --seeds -1", "seeds must be an integer in [0, 9223372036854775807], got '-1'"),
    ("margins --seeds 9223372036854775808", "seeds must be an integer in"),
    ("margins --t0 1e400", "t0 must be of magnitude <= 1.8e+308 to be a float64, got '1e400'"),
    ("margins --b-rel 1e-400", "b_rel must be 0 or of magnitude >= 4.9e-324 to be a float64"),
    ("margins --lr 0", "lr must be a finite real number > 0"),
    ("margins --steps 0", "steps must be an integer >= 1"),
    ("margins --out ''", "out must be a file path"),
    ("margins --out afile/m.md", "'afile' is a file"),
    # sweep (the scheduler is connected to before anything is written)
    ("sweep --out x", "grid is required"),
    ("sweep --grid nofile.toml --out ''", "out must be a folder path"),
    ("sweep --grid nofile.toml --out afile", "out must be a folder, not a file"),
    ("sweep --grid afile --out nodir/x", "does not exist"),
    ("sweep --grid seeds.toml --out out", "seeds must be an integer in [0, 9223372036854775807], got -1"),
    ("sweep --grid seed_range.toml --out out", "seeds must be an integer in [0, 9223372036854775807], got -2"),
    ("sweep --grid huge.toml --out out", "N = 10000000, d = 2 (3 problems, similarities summed by row blocks) needs about"),
    ("sweep --grid d1.toml --out out", "d = 1: N must be an integer in [2, 30] for d = 1"),
    ("sweep --grid grid.toml --out out --scheduler 127.0.0.1:1", "cannot reach a Dask scheduler at '127.0.0.1:1': Connection refused"),
    ("sweep --grid grid.toml --out out --scheduler tcp://127.0.0.1:1", "at 'tcp://127.0.0.1:1': Connection refused"),
    ("sweep --grid grid.toml --out out --scheduler 'not an address'", "at 'not an address': missing port number"),
    ("sweep --grid grid.toml --out out --device tpu", "device must be one of"),
    ("sweep --grid grid.toml --out out --workers -1", "workers must be an integer >= 0"),
    # certify, recheck (recheck's other errors come from a fresh process: tests/unit/test_recheck.py)
    ("certify", "a command is required, one of optimum, phase, registry, thresholds"),
    ("certify nosuch", "No such command"),
    ("certify thresholds --N 2", "N must be an integer >= 3, got '2'"),
    ("certify thresholds --N 4 --out ''", "out must be a folder path, got ''"),
    ("certify thresholds --N 4 --out afile", "out must be a folder, not a file"),
    ("certify thresholds --N 4 --digits 5", "digits must be an integer in [15, 10000]"),
    ("certify optimum --N 10 --t 0 --b 1", "t must be a finite real number > 0, got '0'"),
    ("certify optimum --N 10 --t 1 --b nan", "b must be a finite real number, got 'nan'"),
    ("certify optimum --N 10 --t 1e5000 --b 1", "t must be 0 or of magnitude in [1e-1000, 1e1000]"),
    ("certify phase --N 10 --t -1", "t must be a finite real number > 0, got '-1'"),
    ("certify registry --out nodir/x", "'nodir' does not exist"),
    ("recheck", "paths is required"),
    # report
    ("report --out ''", "out must be a folder path, got ''"),
    ("report --out afile", "out must be a folder, not a file, got 'afile'"),
    ("report --out afile/sub", "is a file"),
    ("report --out nodir/sub", "'nodir' does not exist"),
    ("report --out {unwritable}/rep", "is not writable"),
    ("report --bogus", "bogus"),
]


def _unwritable() -> str | None:
    """A folder this process cannot create files in, or None."""
    for folder in ("/sys", "/proc/self"):
        if os.path.isdir(folder) and not _writable_folder(pathlib.Path(folder)):
            return folder
    if os.geteuid() != 0:
        folder = tempfile.mkdtemp()
        os.chmod(folder, 0o500)
        return folder
    return None


UNWRITABLE = _unwritable()


def _listing(root: pathlib.Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_size if p.is_file() else -1)
                  for p in root.rglob("*"))


def _commands(group, prefix=()) -> set[tuple[str, ...]]:
    """Every command path of ``group``, subcommands of its groups included."""
    import click

    out = set()
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        out.add((*prefix, name))
        if isinstance(command, click.Group):
            out |= _commands(command, (*prefix, name))
    return out


def test_the_table_is_large_and_covers_every_command_and_subcommand():
    lines = [shlex.split(line) for line, _ in BAD_INPUTS if line and not line.startswith("-")]
    covered = {tuple(words[:k]) for words in lines for k in (1, 2)}
    assert len(BAD_INPUTS) >= 100
    assert _commands(main) <= covered, _commands(main) - covered


@pytest.mark.timeout(REFUSAL_TIMEOUT)
@pytest.mark.parametrize("line, fragment", BAD_INPUTS, ids=[line or "(none)" for line, _ in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2_nothing_written(line, fragment, tmp_path, monkeypatch):
    if "{unwritable}" in line and UNWRITABLE is None:
        pytest.skip("no unwritable folder on this machine")
    if "--scheduler" in line:
        pytest.importorskip("distributed")
    args = shlex.split(line.format(unwritable=UNWRITABLE))
    (tmp_path / "afile").write_text("a regular file\n")
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir.png").mkdir()
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    before = _listing(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = RUNNER.invoke(main, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("clverify: error: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output and result.stdout == ""
    assert _listing(tmp_path) == before
    if UNWRITABLE is not None:
        assert not any(p.name in ("x.md", "x.tex", "fig.png", "l.md", "t.md", "rep")
                       for p in pathlib.Path(UNWRITABLE).iterdir())
