"""Helpers of the CLI tests of a researcher's loss: the sigmoid loss written as a user's file,
and running ``clverify`` in process."""

import json

from click.testing import CliRunner

from clverify.proofs_check.cli import main

#: The built-in sigmoid loss, as a user would write it in a loss file.
SIGLIP = """
def sigmoid(grams, ops, *, t, b):
    S = grams.uv
    return (S.sum_diagonal(lambda s: ops.softplus(b - t * s))
            + S.sum_off_diagonal(lambda s: ops.softplus(t * s - b))) / S.N
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def records(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["records"]
