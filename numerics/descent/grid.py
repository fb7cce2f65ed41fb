r"""A sweep's grid: axes read from a TOML file, expanded into keyed configurations.

A grid file gives each axis as one value, a list, or a range table, and the solver settings
as scalars::

    loss = "sigmoid"                   # one loss or a list of losses
    loss_file = "mine.py"              # optional: the losses are functions of this file
    N = [100, 1000]                    # number of pairs
    d = [8, 16, 64]                    # dimension; the string "N" means d = N (d = 1: N <= 30)
    t = 10.0                           # loss parameters, by the loss's own names
    b = {start = 0, stop = 10, num = 3}          # 0, 5, 10 (inclusive, evenly spaced)
    seeds = {start = 0, stop = 2}                # 0, 1, 2 (inclusive, step 1)
    restarts = 3                       # restart r of seed s starts from seed s + r
    tol = 1e-9                         # solver settings: scalars only
    max_iter = 2000

A range table has ``start`` and ``stop`` (both included when the steps reach it) and either
``step`` (default 1) or ``num`` points, with ``scale = "log"`` for geometric spacing.
Parameter values that vary together go in ``points``, a list of tables
(``points = [{t = 10.0, b = 10.0}, {t = 117.8, b = 12.9}]`` instead of the axes ``t`` and
``b``).  A loss parameter applies to every listed loss that takes it; one that no listed loss
takes is an error, and a parameter a loss needs but the grid omits takes the loss's default
(its one definition's) or is an error.  With ``loss_file`` (a Python file, relative to the
grid file's folder; it runs as Python code, as an import would) the listed losses are
functions of that file, checked as ``clverify analyse`` checks them; a configuration records
the file and its SHA-256, so that records of an edited file are never reused.  The
configurations are the Cartesian product, in the order loss, N, d, points, parameters (by
name), seeds, restarts (one listed twice is kept once); each has a
:attr:`Configuration.key` that a results store is keyed by.

>>> grid = parse_grid('loss = "sigmoid"\nN = [4, 6]\nd = "N"\nt = 2.0\nb = {start = 1, stop = 2, num = 2}')
>>> [(c.N, c.d, c.param_dict["b"]) for c in grid]
[(4, 4, 1.0), (4, 4, 2.0), (6, 6, 1.0), (6, 6, 2.0)]
>>> grid[0].key
'{"N": 4, "b": 1.0, "d": 4, "loss": "sigmoid", "max_iter": 50000, "restarts": 3, "seed": 0, "t": 2.0, "tol": 1e-09}'
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from clverify.theory.errors import InvalidParameterError
from clverify.theory.loss_files import load_loss
from clverify.theory.params import check_batch_size, check_dimension, check_seed

from .discrete import check_enumerable
from .lbfgs import DEFAULT_MAX_ITER, DEFAULT_TOL
from .optimise import DEFAULT_RESTARTS, check_loss_params
from .torch_losses import TORCH_LOSSES, torch_loss

__all__ = ["Configuration", "parse_grid", "read_grid", "MAX_CONFIGURATIONS", "AXES", "SETTINGS"]

#: Axes every grid may give (loss parameters come in addition, by name).
AXES = ("loss", "loss_file", "N", "d", "points", "seeds", "restarts")
#: Solver settings (scalars) and their defaults.
SETTINGS = {"tol": DEFAULT_TOL, "max_iter": DEFAULT_MAX_ITER}
#: Largest number of configurations one grid file may expand to.
MAX_CONFIGURATIONS = 10_000_000
_RANGE_KEYS = {"start", "stop", "step", "num", "scale"}


@dataclass(frozen=True)
class Configuration:
    """One problem of a sweep: a loss at one ``(N, d)`` and parameter point, from one seed."""

    loss: str
    N: int
    d: int
    params: tuple[tuple[str, float | str], ...]
    seed: int
    restarts: int = DEFAULT_RESTARTS
    tol: float = DEFAULT_TOL
    max_iter: int = DEFAULT_MAX_ITER
    loss_file: str | None = None
    loss_file_sha256: str | None = None

    @property
    def param_dict(self) -> dict:
        return dict(self.params)

    @property
    def torch_loss(self):
        """The loss to optimise: the name of a built-in, or the function of ``loss_file``
        (loaded once per process; an edited file is refused)."""
        return self.loss if self.loss_file is None else _file_loss(self.loss_file, self.loss,
                                                                     self.loss_file_sha256)

    def as_dict(self) -> dict:
        """The configuration as one flat record (parameters by name; the loss file, if any)."""
        out = {"loss": self.loss, "N": self.N, "d": self.d, **self.param_dict, "seed": self.seed,
               "restarts": self.restarts, "tol": self.tol, "max_iter": self.max_iter}
        if self.loss_file is not None:
            out.update(loss_file=self.loss_file, loss_file_sha256=self.loss_file_sha256)
        return out

    @cached_property
    def key(self) -> str:
        """Canonical JSON of :meth:`as_dict` (sorted keys; floats as their shortest repr)."""
        return json.dumps(self.as_dict(), sort_keys=True)


def _fail(where: str, message: str):
    raise InvalidParameterError(f"{where}: {message}")


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@lru_cache(maxsize=64)
def _file_loss(path: str, name: str, sha256: str | None):
    """The loss ``name`` of the file ``path`` whose SHA-256 is ``sha256``."""
    if sha256 is not None and _sha256(path) != sha256:
        raise InvalidParameterError(f"loss_file {path} changed since the grid was read (SHA-256 "
                                    f"{sha256[:12]}...): run the sweep again")
    return load_loss(path, name)


def _range(where: str, table: dict) -> list:
    """The values of a range table (see the module docstring)."""
    unknown = set(table) - _RANGE_KEYS
    if unknown:
        _fail(where, f"unknown range key(s) {', '.join(sorted(unknown))}; use start, stop and step or num (scale = \"log\")")
    if "start" not in table or "stop" not in table:
        _fail(where, "a range needs start and stop")
    start, stop = table["start"], table["stop"]
    for name, v in (("start", start), ("stop", stop)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            _fail(where, f"range {name} must be a finite number, got {v!r}")
    if stop < start:
        _fail(where, f"range stop must be >= start, got start {start!r}, stop {stop!r}")
    scale = table.get("scale", "linear")
    if scale not in ("linear", "log"):
        _fail(where, f"range scale must be \"linear\" or \"log\", got {scale!r}")
    if "num" in table:
        num = table["num"]
        if "step" in table:
            _fail(where, "a range takes step or num, not both")
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            _fail(where, f"range num must be an integer >= 1, got {num!r}")
        if scale == "log":
            if start <= 0:
                _fail(where, f"a log range needs start > 0, got {start!r}")
            return [float(v) for v in np.geomspace(start, stop, num)]
        return [float(v) for v in np.linspace(start, stop, num)]
    if scale == "log":
        _fail(where, "a log range needs num")
    step = table.get("step", 1)
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not step > 0 or not math.isfinite(step):
        _fail(where, f"range step must be a finite number > 0, got {step!r}")
    count = math.floor((stop - start) / step * (1 + 1e-12)) + 1
    if count > MAX_CONFIGURATIONS:
        _fail(where, f"range has {count} values, more than {MAX_CONFIGURATIONS}")
    if all(isinstance(v, int) for v in (start, stop, step)):
        return list(range(start, stop + 1, step))
    return [float(start + k * step) for k in range(count)]


def _values(where: str, raw) -> list:
    """An axis: a scalar, a non-empty list of scalars, or a range table."""
    if isinstance(raw, dict):
        return _range(where, raw)
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        _fail(where, "an empty list gives no configurations")
    for v in values:
        if isinstance(v, (dict, list)) or not isinstance(v, (int, float, str)):
            _fail(where, f"values must be numbers or strings, got {v!r}")
    return values


def _integers(where: str, values: list, check) -> list[int]:
    out = []
    for v in values:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            _fail(where, f"values must be integers, got {v!r}")
        try:
            out.append(check(v))
        except InvalidParameterError as exc:
            _fail(where, str(exc))
    return out


def _check_setting(where: str, name: str, value):
    if isinstance(value, (list, dict)):
        _fail(where, f"{name} is a solver setting: one number, not a list or range")
    if name == "tol":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < math.inf):
            _fail(where, f"tol must be a finite number > 0, got {value!r}")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(where, f"max_iter must be an integer >= 1, got {value!r}")
    return value


def parse_grid(text: str, source: str = "grid", folder: Path | None = None) -> list[Configuration]:
    """The configurations of a grid given as TOML ``text`` (``source`` names it in errors;
    ``folder``: where a relative ``loss_file`` is, default the working folder)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _fail(source, f"not valid TOML: {exc}")
    losses = [str(v) for v in _values(f"{source}: loss", raw.pop("loss", "sigmoid"))]
    loss_file, sha256, torch_losses = _loss_file(source, raw.pop("loss_file", None), folder), None, {}
    if loss_file is not None:
        sha256 = _sha256(loss_file)
        torch_losses = {name: torch_loss(_file_loss(loss_file, name, sha256)) for name in losses}
    for loss in losses:
        if loss not in TORCH_LOSSES and loss not in torch_losses:
            _fail(f"{source}: loss", f"unknown loss {loss!r}; known: {', '.join(TORCH_LOSSES)}")
    torch_losses = {name: torch_losses.get(name) or TORCH_LOSSES[name] for name in losses}
    if "N" not in raw:
        _fail(source, "N is required (a number, a list or a range table)")
    Ns = _integers(f"{source}: N", _values(f"{source}: N", raw.pop("N")), lambda v: check_batch_size("N", v, 2))
    d_raw = _values(f"{source}: d", raw.pop("d", "N"))
    ds = ["N" if v == "N" else v for v in d_raw]
    ds = [v if v == "N" else _integers(f"{source}: d", [v], lambda x: check_dimension("d", x, 1))[0] for v in ds]
    if 1 in ds:     # d = 1 is solved by enumeration (as gd --d 1), for small N only
        _integers(f"{source}: d = 1", Ns, check_enumerable)
    seeds = _integers(f"{source}: seeds", _values(f"{source}: seeds", raw.pop("seeds", 0)),
                      lambda v: check_seed("seeds", v))
    restarts = _integers(f"{source}: restarts", _values(f"{source}: restarts", raw.pop("restarts", DEFAULT_RESTARTS)),
                         lambda v: check_batch_size("restarts", v, 1))
    settings = {name: _check_setting(f"{source}: {name}", name, raw.pop(name, default))
                for name, default in SETTINGS.items()}
    points = _points(source, raw.pop("points", None))
    taken = {n for loss in losses for n in torch_losses[loss].parameters}
    unknown = sorted((set(raw) | {n for p in points for n in p}) - taken)
    if unknown:
        _fail(source, f"unknown key(s) {', '.join(unknown)}: the axes are {', '.join(AXES)}, the settings "
              f"{', '.join(SETTINGS)}, and the parameters of the listed losses ({', '.join(sorted(taken)) or 'none'})")
    both = sorted({n for p in points for n in p} & set(raw))
    if both:
        _fail(source, f"{', '.join(both)} given both in points and as an axis")
    params = {name: _values(f"{source}: {name}", value) for name, value in sorted(raw.items())}
    count = len(Ns) * len(ds) * len(seeds) * len(restarts) * len(points) * sum(
        math.prod(len(v) for n, v in params.items() if n in torch_losses[loss].parameters) for loss in losses)
    if count > MAX_CONFIGURATIONS:
        _fail(source, f"the grid has {count} configurations, more than {MAX_CONFIGURATIONS}")
    out, verified = {}, set()
    for loss in losses:
        takes = torch_losses[loss].parameters
        names = [n for n in params if n in takes]
        for N, d, fixed, *values in itertools.product(Ns, ds, points, *(params[n] for n in names)):
            given = {**{n: v for n, v in fixed.items() if n in takes}, **dict(zip(names, values))}
            try:
                _, checked = check_loss_params(torch_losses[loss].loss, given)
                if loss_file is not None and (loss, loss_file) not in verified:
                    verify(torch_losses[loss].loss, checked)
                    verified.add((loss, loss_file))
            except InvalidParameterError as exc:
                _fail(f"{source}: loss {loss!r}", str(exc))
            point = tuple(sorted((n, v if isinstance(v, str) else float(v)) for n, v in checked.items()))
            for seed, r in itertools.product(seeds, restarts):
                c = Configuration(loss, N, N if d == "N" else d, point, seed, r, **settings,
                                  loss_file=loss_file, loss_file_sha256=sha256)
                out.setdefault(c.key, c)
    return list(out.values())


def _loss_file(source: str, raw, folder: Path | None) -> str | None:
    """The absolute path of ``loss_file`` (relative to ``folder``), or None."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw:
        _fail(f"{source}: loss_file", f"loss_file must be the path of a Python file, got {raw!r}")
    path = Path(raw) if Path(raw).is_absolute() or folder is None else Path(folder) / raw
    if not path.is_file() or path.suffix != ".py":
        _fail(f"{source}: loss_file", f"loss_file must be an existing Python file (.py), got {raw!r}")
    return str(path.resolve())


def verify(loss, params: dict) -> None:
    """Check a user's loss as ``clverify analyse`` does (symbolically, then its CCEM restriction
    on explicit vectors) at ``params``."""
    from clverify.numerics.analyse import checked

    checked(loss, {k: v if isinstance(v, str) else repr(float(v)) for k, v in params.items()})


def _points(source: str, raw) -> list[dict]:
    """``points``: parameter values that vary together, a list of tables (default: one empty point)."""
    if raw is None:
        return [{}]
    if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) and p for p in raw):
        _fail(f"{source}: points", "points must be a non-empty list of tables of parameter values, "
              "e.g. points = [{t = 10.0, b = 10.0}, {t = 117.8, b = 12.9}]")
    for p in raw:
        for name, v in p.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                _fail(f"{source}: points", f"{name} must be one number in each point, got {v!r}")
    return raw


def read_grid(path: str | Path) -> list[Configuration]:
    """The configurations of the grid file at ``path`` (see :func:`parse_grid`).

    >>> read_grid("/no/such/grid.toml")
    Traceback (most recent call last):
    ...
    clverify.theory.errors.InvalidParameterError: grid: cannot read '/no/such/grid.toml': No such file or directory
    """
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"grid: cannot read {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_grid(text, source=str(path), folder=Path(path).parent)
