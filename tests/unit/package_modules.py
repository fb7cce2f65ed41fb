"""The package's modules by their one import name (for the doctest and layout tests)."""

import pkgutil

import clverify
import clverify.numerics
import clverify.proofs_check
import clverify.theory


def package_modules() -> list[str]:
    """The dotted names of every module of the package (``__main__`` excluded: it runs the CLI)."""
    names = [clverify.__name__]
    names += [info.name for info in pkgutil.iter_modules(clverify.__path__, "clverify.")]  # recheck
    for package in (clverify.theory, clverify.numerics, clverify.proofs_check):
        names.append(package.__name__)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                  if not info.name.endswith(".__main__")]
    return sorted(names)
