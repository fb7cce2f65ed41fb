"""Options and output shared by every ``clverify`` subcommand.

Output paths are checked when the command line is parsed, before any work starts:
:func:`check_output_file` and :func:`check_output_folder` (and the click types
:class:`OutputFile` and :class:`OutputFolder` that call them) reject an empty path, a folder
given for a file (or a file for a folder), a path whose folder does not exist or is a
regular file, an unwritable folder or file, and, for files, a suffix the command cannot
write; the error is one line naming the option and quoting the path as typed (exit 2).
Nothing is created by the check: folders are never made implicitly, except the one folder
a command writes into (``report --out DIR``), whose parent must exist.

>>> check_output_file("", name="out")
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: out must be a file path, got ''
>>> check_output_file("fig.txt", name="out", suffixes=(".png", ".pdf"))
Traceback (most recent call last):
    ...
clverify.theory.errors.InvalidParameterError: out must end in .png or .pdf, got 'fig.txt'
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from clverify.numerics.output.tables import FORMATS, provenance, render
from clverify.theory.errors import InvalidParameterError, UnknownChoiceError
from clverify.theory.params import SEED_MAX, check_batch_size, check_finite, check_positive, to_float64

__all__ = [
    "OneLineErrorsCommand", "OneLineErrorsGroup", "multi_value_command", "format_option",
    "out_option", "emit", "write_output", "check_output_file", "check_output_folder",
    "OutputFile", "OutputFolder", "Integer", "Real", "SEED_MAX", "seed_option", "parse_params",
    "threads_option", "torch_threads", "max_memory_option",
]


def _writable_folder(folder: Path) -> bool:
    """Whether a file can be created in the existing folder ``folder``: permission bits, and
    a probe (an unnamed temporary file, removed at once) that also catches read-only mounts
    and pseudo file systems where even root cannot write."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


def _check_folder_of(path: Path, name: str, given: str) -> None:
    folder = path.parent
    shown = str(folder) if str(folder) else "."
    if not folder.exists():
        raise InvalidParameterError(
            f"{name} must be in an existing folder ({shown!r} does not exist; create it first), "
            f"got {given!r}")
    if not folder.is_dir():
        raise InvalidParameterError(
            f"{name} must be in a folder ({shown!r} is a file), got {given!r}")
    if not _writable_folder(folder):
        raise InvalidParameterError(
            f"{name} must be in a writable folder ({shown!r} is not writable), got {given!r}")


def check_output_file(path, *, name: str = "out", suffixes: Sequence[str] = ()) -> Path:
    r"""The path of a file a command will write, checked before any work; nothing is created.

    Parameters
    ----------
    path : str or os.PathLike
        As the user typed it (quoted verbatim in the error).
    name : str
        The option's name in the message (``out``, ``catalogue``).
    suffixes : sequence of str
        Accepted suffixes (``(".png", ".pdf")``); empty: any.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidParameterError
        The path is empty, names a folder, lies under a missing folder or under a regular
        file, is not writable, or has a suffix not in ``suffixes``.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_output_file(os.path.join(folder, "t.json")).name
    't.json'
    >>> check_output_file(folder)       # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: out must be a file path, not a folder, got '...'
    """
    given = os.fspath(path)
    if not given.strip():
        raise InvalidParameterError(f"{name} must be a file path, got {given!r}")
    p = Path(given)
    if suffixes and p.suffix.lower() not in suffixes:
        raise InvalidParameterError(f"{name} must end in {' or '.join(suffixes)}, got {given!r}")
    if p.is_dir() or given.endswith(os.sep):
        raise InvalidParameterError(f"{name} must be a file path, not a folder, got {given!r}")
    _check_folder_of(p, name, given)
    if p.exists() and not (p.is_file() and os.access(p, os.W_OK)):
        raise InvalidParameterError(
            f"{name} must be a writable regular file, got {given!r}")
    return p


def check_output_folder(path, *, name: str = "out") -> Path:
    """The folder a command will write files into, checked before any work; nothing is created.

    It may exist (a writable folder) or not (then its parent must be an existing writable
    folder; the command creates it when it writes).

    >>> check_output_folder("")
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: out must be a folder path, got ''
    """
    given = os.fspath(path)
    if not given.strip():
        raise InvalidParameterError(f"{name} must be a folder path, got {given!r}")
    p = Path(given)
    if p.exists():
        if not p.is_dir():
            raise InvalidParameterError(f"{name} must be a folder, not a file, got {given!r}")
        if not _writable_folder(p):
            raise InvalidParameterError(f"{name} must be a writable folder, got {given!r}")
        return p
    _check_folder_of(p, name, given)
    return p


class OutputFile(click.ParamType):
    """A click type: :func:`check_output_file` at parse time (before the command runs).

    ``click.option("--out", type=OutputFile((".png",)))`` gives a :class:`pathlib.Path`.
    """

    name = "file"

    def __init__(self, suffixes: Sequence[str] = ()):
        self.suffixes = tuple(suffixes)

    def convert(self, value, param, ctx):
        return check_output_file(value, name=_option_name(param), suffixes=self.suffixes)


class OutputFolder(click.ParamType):
    """A click type: :func:`check_output_folder` at parse time (before the command runs)."""

    name = "folder"

    def convert(self, value, param, ctx):
        return check_output_folder(value, name=_option_name(param))


def _option_name(param) -> str:
    return param.opts[0].lstrip("-") if param is not None and param.opts else "parameter"


class Integer(click.ParamType):
    """A click type: an integer in ``[minimum, maximum]`` by
    :func:`~clverify.theory.params.check_batch_size`, quoting the text typed on error."""

    name = "integer"

    def __init__(self, minimum: int = 1, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value, param, ctx):
        return check_batch_size(_option_name(param), value, self.minimum, self.maximum)


class Real(click.ParamType):
    """A click type: a real number passing ``check`` (default
    :func:`~clverify.theory.params.check_finite`), then a float64 by
    :func:`~clverify.theory.params.to_float64` (overflow and underflow to 0 are errors);
    messages quote the text typed."""

    name = "real"

    def __init__(self, check=check_finite):
        self.check = check

    def convert(self, value, param, ctx):
        name = _option_name(param)
        return to_float64(name, self.check(name, value))


_NUMBER = re.compile(r"^[-+]?(\d|\.\d|inf|nan)", re.IGNORECASE)


class OneLineErrorsCommand(click.Command):
    """A command whose options in :attr:`multi` take several values after one flag, and whose
    click-level parameter errors become :class:`InvalidParameterError` (one line, exit 2)."""

    multi: tuple[str, ...] = ()

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, _spread(args, self.multi))
        except click.BadParameter as exc:
            raise _one_line(exc) from None
        except click.UsageError as exc:  # unknown option, option without its value
            raise InvalidParameterError(exc.format_message()) from None


class _OneLineUsageError(click.UsageError):
    """A usage error shown as one line, ``clverify: error: ...; see 'PATH --help'``."""

    def show(self, file=None):
        path = self.ctx.command_path if self.ctx is not None else "clverify"
        click.echo(f"clverify: error: {self.message.rstrip('.')}; see '{path} --help'", err=True)


class OneLineErrorsGroup(click.Group):
    """A group whose own usage errors (unknown command or option, no command) are one line
    (exit 2); its commands are :class:`OneLineErrorsCommand` and its subgroups of this class."""

    command_class = OneLineErrorsCommand
    group_class = type  # subgroups (``bench``) behave the same

    def parse_args(self, ctx, args):
        if not args:
            names = ", ".join(self.list_commands(ctx))
            raise _OneLineUsageError(f"a command is required, one of {names}", ctx)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _OneLineUsageError(exc.format_message(), ctx) from None

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise _OneLineUsageError(exc.format_message(), ctx) from None


def _spread(args: list[str], multi: tuple[str, ...]) -> list[str]:
    """``--N 7 23`` -> ``--N 7 --N 23`` for the options in ``multi``."""
    out, current = [], None
    for arg in args:
        if arg in multi:
            current = arg
            out.append(arg)
            continue
        if current is not None and (not arg.startswith("-") or _NUMBER.match(arg)):
            if out[-1] != current:
                out.append(current)
            out.append(arg)
            continue
        current = None
        out.append(arg)
    return out


def _one_line(exc: click.BadParameter) -> InvalidParameterError:
    param = exc.param
    name = _option_name(param)
    if isinstance(exc, click.MissingParameter):
        return InvalidParameterError(f"{name} is required: {getattr(param, 'help', None) or 'see --help'}")
    if param is not None and isinstance(param.type, click.Choice):
        given = re.match(r"^('.*?') is not", exc.message)
        return UnknownChoiceError(f"{name} must be one of {', '.join(param.type.choices)}; "
                                  f"got {given[1] if given else exc.message}")
    return InvalidParameterError(f"{name}: {exc.format_message()}")


def multi_value_command(*multi: str) -> type[OneLineErrorsCommand]:
    """A command class whose options ``multi`` (e.g. ``"--N"``) take several values per flag."""
    return type("MultiValueCommand", (OneLineErrorsCommand,), {"multi": multi})


def format_option(default: str = "md", choices=FORMATS):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


#: ``--out FILE`` of the table commands, checked at parse time (:class:`OutputFile`).
out_option = click.option(
    "--out", type=OutputFile(), default=None,
    help="Write to this file (in an existing folder) instead of standard output.",
)


def write_output(text: str, out: Path | None = None) -> None:
    """``text`` to the file ``out`` (checked by :class:`OutputFile`), or to stdout when None."""
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)


def emit(records: list[dict], fmt: str, out: Path | None = None, **prov_extra) -> None:
    """Render ``records`` with a provenance block and write them to ``out`` or stdout."""
    write_output(render(records, fmt, provenance(**prov_extra)), out)


def parse_params(items, given=()) -> dict:
    """``("t=2", "b=1")`` (repeated ``--param NAME=VALUE``) as ``{"t": "2", "b": "1"}``; a name
    given twice, or also in ``given`` (the names set by other options), is an error.

    >>> parse_params(["t=2", " b = -1"])
    {'t': '2', 'b': '-1'}
    >>> parse_params(["m=1", "m=2"])
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: --param m is given twice ('1' and '2'); give each parameter once
    >>> parse_params(["t=2"], given={"t": "--t"})
    Traceback (most recent call last):
        ...
    clverify.theory.errors.InvalidParameterError: --param t is also given as --t; give each parameter once
    """
    out = {}
    for item in items:
        if "=" not in item:
            raise InvalidParameterError(f"--param must look like NAME=VALUE, got {item!r}")
        name, value = (part.strip() for part in item.split("=", 1))
        if name in out:
            raise InvalidParameterError(f"--param {name} is given twice ({out[name]!r} and {value!r}); "
                                        "give each parameter once")
        if name in given:
            raise InvalidParameterError(f"--param {name} is also given as {given[name]}; give each "
                                        "parameter once")
        out[name] = value
    return out


#: ``--seed``: the seed of the first restart of gradient descent (restart r uses seed + r).
seed_option = click.option("--seed", type=Integer(0, SEED_MAX), default=0, show_default=True,
                           help="Seed of the first restart (restart r uses seed + r).")


#: ``--max-memory GIB`` of the commands that estimate their memory before allocating
#: (:func:`clverify.numerics.descent.memory.memory_limit` turns it into bytes).
max_memory_option = click.option(
    "--max-memory", type=Real(check_positive), default=None,
    help="Refuse a run estimated to need more memory, in GiB (default: "
         "numerics.descent.memory.MEMORY_LIMIT, 8 GiB).")


def threads_option(default=None):
    return click.option("--threads", type=Integer(1), default=default, show_default=True,
                        help="torch intra-op threads (1 avoids oversubscription on small tensors).")


@contextmanager
def torch_threads(threads):
    """torch intra-op threads set to ``threads`` for the command, restored afterwards."""
    import torch

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(check_batch_size("threads", threads, 1))
    try:
        yield
    finally:
        torch.set_num_threads(before)
