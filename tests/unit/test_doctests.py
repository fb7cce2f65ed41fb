"""Every ``>>>`` example in the package's docstrings runs, each module imported by its one
import name (``clverify.*``), so that no module is ever loaded twice under another name."""

import doctest
import importlib

import pytest
from package_modules import package_modules

#: The same flags as ``doctest_optionflags`` in pyproject.toml (the docs' examples).
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _docstring_tests():
    finder = doctest.DocTestFinder()
    for name in package_modules():
        for test in finder.find(importlib.import_module(name), name):
            if test.examples:
                yield pytest.param(test, id=test.name)


@pytest.mark.parametrize("test", _docstring_tests())
def test_docstring_examples_run(test):
    report = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
