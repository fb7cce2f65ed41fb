"""``clverify``: the command-line adapter over :mod:`theory`, :mod:`numerics` and the registry.

Errors the package raises on purpose (:class:`clverify.theory.errors.VerifierError`), and click's own
usage errors (:class:`~.output.OneLineErrorsGroup`), become one line on stderr and exit code 2.  Each subcommand lives in the module
named for its area and registers itself on :data:`main`; modules are imported only when one of
their commands runs (torch is not imported to print a threshold table).
"""

from __future__ import annotations

import importlib

import click

from clverify.theory.errors import VerifierError

from .output import OneLineErrorsGroup

__all__ = ["main"]

#: Subcommand -> the module (in this package) that defines it.
COMMAND_MODULES = {
    "thresholds": "sigmoid", "phase": "sigmoid", "optimum": "sigmoid", "derive": "sigmoid",
    "gd": "gd", "bench": "gd", "figure": "gd", "gap-table": "gd",
    "minimum": "losses", "losses-table": "losses",
    "check": "check", "cite": "check", "report": "report", "analyse": "analyse",
    "advise": "advise", "margins": "margins", "sweep": "sweep",
    "certify": "certify", "recheck": "certify",
}


class _Group(OneLineErrorsGroup):
    """The top-level group: loads a command's module when that command is asked for."""

    group_class = OneLineErrorsGroup

    def list_commands(self, ctx):
        return sorted(COMMAND_MODULES) if self is main else super().list_commands(ctx)

    def get_command(self, ctx, name):
        if name in COMMAND_MODULES and name not in self.commands:
            importlib.import_module(f"{__name__}.{COMMAND_MODULES[name]}")
        return super().get_command(ctx, name)

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
