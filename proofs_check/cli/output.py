"""Options and output shared by every ``clverify`` subcommand."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import click

from clverify.numerics.output.tables import FORMATS, provenance, render
from clverify.theory.errors import InvalidParameterError, UnknownChoiceError
from clverify.theory.params import check_batch_size

__all__ = ["OneLineErrorsCommand", "multi_value_command", "format_option", "out_option", "emit",
           "parse_params", "threads_option", "torch_threads"]


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
    name = (param.opts[0].lstrip("-") if param is not None and param.opts else "parameter")
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


out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file instead of standard output.",
)


def emit(records: list[dict], fmt: str, out: Path | None = None, **prov_extra) -> None:
    """Render ``records`` with a provenance block and write them to ``out`` or stdout."""
    text = render(records, fmt, provenance(**prov_extra))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


def parse_params(items) -> dict:
    """``("t=2", "b=1")`` (repeated ``--param NAME=VALUE``) as ``{"t": "2", "b": "1"}``.

    >>> parse_params(["t=2", " b = -1"])
    {'t': '2', 'b': '-1'}
    """
    out = {}
    for item in items:
        if "=" not in item:
            raise InvalidParameterError(f"--param must look like NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def threads_option(default=None):
    return click.option("--threads", type=int, default=default, show_default=True,
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
