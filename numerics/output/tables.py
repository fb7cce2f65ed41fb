r"""Records to Markdown, CSV, LaTeX (booktabs) and JSON, each with a provenance block.

Every table this package writes is a list of flat records (dicts) plus a
provenance dict saying what produced it.  Values that carry more than double
precision (mpmath numbers) are written as decimal strings with ``prov["digits"]``
significant digits (default 15), with their exponent however small (``3.675e-1670``);
JSON is strict: a NaN or an infinity is written as null and the record's ``note`` says
which field and what it was; an enclosure (any object with a ``__jsonable__``
method returning ``[lo, hi]``, e.g. :class:`clverify.numerics.precision.certify.Enclosure`) is a
``[lo, hi]`` pair of decimal strings rounded outward.

>>> import mpmath
>>> recs = [{"N": 7, "t": mpmath.mpf(1) / 3, "note": None}]
>>> print(render(recs, "csv", {"command": "demo"}).strip())
# command: demo
N,t,note
7,0.333333333333333,
>>> with mpmath.workdps(30):
...     third = mpmath.mpf(1) / 3
>>> print(render([{"t": third}], "json", {"digits": 25}).splitlines()[3])
      "t": "0.3333333333333333333333333"
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import mpmath

from clverify.theory.params import check_choice

__all__ = ["FORMATS", "DEFAULT_DIGITS", "provenance", "render", "to_jsonable"]

FORMATS = ("md", "csv", "latex", "json")

_LIBRARIES = ("clverify", "sympy", "mpmath", "python-flint", "numpy", "scipy", "torch")


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


#: The folder holding the package's source when it runs from its git checkout (an editable
#: install); an installed copy (site-packages) is not the top of a repository of its own.
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str | None:
    """The output of ``git -C <source root> args``, or None if git or the repository is missing."""
    try:
        out = subprocess.run(["git", "-C", str(_SOURCE_ROOT), *args], capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _git_state() -> tuple[str | None, bool | None]:
    """The commit of the package's own checkout, and whether tracked files differ from it;
    ``(None, None)`` when the package does not run from its own checkout (never the commit of
    some other repository that happens to contain it)."""
    top = _git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != _SOURCE_ROOT:
        return None, None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return _git("rev-parse", "HEAD") or None, None if status is None else status != ""


def provenance(command: str | None = None, **extra) -> dict:
    """What produced a table: package and library versions, git commit (and whether the
    checkout had uncommitted changes: ``git_dirty``), command, and ``extra`` (for example
    ``digits``, ``seed``, ``device``).

    >>> sorted(provenance("clverify demo", digits=30))  # doctest: +NORMALIZE_WHITESPACE
    ['command', 'created', 'digits', 'git_commit', 'git_dirty', 'libraries', 'package', 'python',
     'version']
    """
    commit, dirty = _git_state()
    return {
        "package": "clverify",
        "version": _version("clverify"),
        "git_commit": commit,
        "git_dirty": dirty,
        "command": command if command is not None else " ".join(["clverify", *sys.argv[1:]]),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in _LIBRARIES[1:]},
        **extra,
    }


#: Significant digits printed for an mpmath number when the provenance gives none.
DEFAULT_DIGITS = 15


def _text(value, digits: int = DEFAULT_DIGITS) -> str:
    """A cell: decimal strings for mpmath numbers, ``[lo, hi]`` for pairs, empty for None."""
    if value is None:
        return ""
    if hasattr(value, "__jsonable__"):
        value = value.__jsonable__()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v, digits) for v in value) + "]"
    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, digits, min_fixed=-6, max_fixed=20)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _non_finite(value) -> bool:
    """Whether ``value`` is a float or mpmath number that is NaN or infinite (not JSON)."""
    if isinstance(value, mpmath.mpf):
        return not mpmath.isfinite(value)
    return isinstance(value, float) and not math.isfinite(value)


def to_jsonable(value, digits: int = DEFAULT_DIGITS, _missing: list | None = None, _path=""):
    """JSON-ready form: mpmath numbers become decimal strings (``digits`` significant digits),
    objects with ``__jsonable__`` (enclosures) their ``[lo, hi]`` strings, tuples lists, numpy
    scalars Python numbers; NaN and infinities (floats or mpmath) become None.

    >>> to_jsonable({"a": float("nan"), "b": [1.5, mpmath.mpf("inf")]})
    {'a': None, 'b': [1.5, None]}
    """
    if hasattr(value, "__jsonable__"):
        return value.__jsonable__()
    if isinstance(value, dict):
        return {k: to_jsonable(v, digits, _missing, f"{_path}.{k}" if _path else str(k))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, digits, _missing, f"{_path}[{i}]") for i, v in enumerate(value)]
    if hasattr(value, "item") and not isinstance(value, (str, bytes, mpmath.mpf)):
        value = value.item()
    if _non_finite(value):
        if _missing is not None:
            _missing.append(f"{_path} is {value}")
        return None
    if isinstance(value, mpmath.mpf):
        return _text(value, digits)
    return value


def _json_record(record: dict, digits: int) -> dict:
    """One record for JSON: :func:`to_jsonable`, with a ``note`` naming every NaN or infinity
    written as null."""
    missing: list[str] = []
    out = to_jsonable(record, digits, missing)
    if missing:
        said = f"not a finite number, written as null: {', '.join(missing)}"
        out["note"] = f"{out['note']}; {said}" if out.get("note") else said
    return out


def _columns(records):
    cols: list[str] = []
    for r in records:
        cols.extend(k for k in r if k not in cols)
    return cols


def _digits(prov) -> int:
    return int(prov.get("digits") or DEFAULT_DIGITS)


#: A single record with more columns than this is written as a two-column markdown table
#: (field, value), one field a line, rather than one very wide row.
MD_VERTICAL_ABOVE = 12


def _markdown(records, prov):
    cols = _columns(records)
    n = _digits(prov)
    if len(records) == 1 and len(cols) > MD_VERTICAL_ABOVE:
        lines = ["| field | value |", "|---|---|"]
        lines += [f"| {c} | {_text(records[0].get(c), n)} |" for c in cols]
    else:
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_text(r.get(c), n) for c in cols) + " |" for r in records]
    meta = ["", "<!-- provenance", json.dumps(to_jsonable(prov), indent=2), "-->"]
    return "\n".join(lines + meta) + "\n"


def _csv(records, prov):
    buf = io.StringIO()
    for key in ("command", "version", "git_commit", "git_dirty", "digits", "created"):
        if prov.get(key) is not None:
            buf.write(f"# {key}: {prov[key]}\n")
    writer = csv.writer(buf, lineterminator="\n")
    cols = _columns(records)
    writer.writerow(cols)
    n = _digits(prov)
    writer.writerows([_text(r.get(c), n) for c in cols] for r in records)
    return buf.getvalue()


_LATEX_ESCAPES = {"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#"}


def _latex_cell(value, digits: int = DEFAULT_DIGITS) -> str:
    text = _text(value, digits)
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text) if text else "--"


def _latex(records, prov):
    cols = _columns(records)
    lines = ["% " + line for line in json.dumps(to_jsonable(prov), indent=1).splitlines()]
    lines += [
        r"\begin{tabular}{" + "l" * len(cols) + "}",
        r"\toprule",
        " & ".join(_latex_cell(c) for c in cols) + r" \\",
        r"\midrule",
    ]
    n = _digits(prov)
    lines += [" & ".join(_latex_cell(r.get(c), n) for c in cols) + r" \\" for r in records]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _json(records, prov):
    """Strict JSON (``allow_nan=False``): NaN and infinities are null, with a note."""
    payload = {"records": [_json_record(r, _digits(prov)) for r in records],
               "provenance": to_jsonable(prov)}
    return json.dumps(payload, indent=2, allow_nan=False) + "\n"


def render(records: list[dict], fmt: str, prov: dict) -> str:
    """``records`` with ``prov`` as text in format ``fmt`` (one of :data:`FORMATS`)."""
    check_choice("format", fmt, FORMATS)
    return {"md": _markdown, "csv": _csv, "latex": _latex, "json": _json}[fmt](records, prov)
