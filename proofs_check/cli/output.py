"""Options and output shared by every ``clverify`` subcommand."""

from __future__ import annotations

from pathlib import Path

import click

from numerics.tables import FORMATS, provenance, render

__all__ = ["format_option", "out_option", "emit"]


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
