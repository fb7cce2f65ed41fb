"""``clverify``: the command-line adapter over :mod:`theory`, :mod:`numerics` and the registry.

Errors the package raises on purpose (:class:`theory.errors.VerifierError`)
become one line on stderr and exit code 2; click's own usage errors also exit
with 2.  Each subcommand lives in the module named for its area and registers
itself on :data:`main`.
"""

from __future__ import annotations

import click

from theory.errors import VerifierError

__all__ = ["main"]


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except VerifierError as exc:
            click.echo(f"clverify: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clverify")
def main():
    """Verify the theorems of contrastive-learning losses, symbolically, with certified
    high-precision numerics and with gradient descent."""


# Subcommand modules register themselves on ``main``.
from . import sigmoid  # noqa: E402,F401
from . import check  # noqa: E402,F401
