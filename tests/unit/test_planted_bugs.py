"""mutation/planted.py plants issue 8's four bugs by replacing source text: each text must still
be in its file exactly once, or the script would plant nothing (docs/testing.md)."""

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "mutation"))
from planted import BUGS  # noqa: E402

sys.path.remove(str(ROOT / "mutation"))


@pytest.mark.parametrize("name", sorted(BUGS))
def test_the_code_each_bug_replaces_is_in_its_file_once(name):
    path, correct, bug = BUGS[name]
    assert (ROOT / path).read_text().count(correct) == 1
    assert bug != correct
