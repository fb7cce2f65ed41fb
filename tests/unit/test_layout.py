"""The package layout: one import name, every package folder installed, exports in sync."""

import importlib
import inspect
import pathlib
import sys
import tomllib

from package_modules import package_modules

ROOT = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = {"theory": "clverify.theory", "numerics": "clverify.numerics",
           "proofs_check": "clverify.proofs_check", "clverify": "clverify"}


def test_every_package_folder_is_installed():
    """pyproject's explicit package list holds every folder with an ``__init__.py``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set()
    for folder, name in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    assert set(config["packages"]) == found


def test_no_module_is_imported_under_a_second_name():
    """After importing the whole package (and collecting the suite), no module is loaded as
    ``theory.*``, ``numerics.*`` or ``proofs_check.*``."""
    for name in package_modules():
        importlib.import_module(name)
    stray = [m for m in sys.modules if m.split(".")[0] in ("theory", "numerics", "proofs_check")]
    assert stray == []


def test_package_exports_match_their_public_names():
    """Each package ``__init__`` lists in ``__all__`` exactly the public names it defines or
    re-exports (modules aside)."""
    for name in ("clverify.theory", "clverify.numerics", "clverify.numerics.precision",
                 "clverify.numerics.descent", "clverify.numerics.output"):
        package = importlib.import_module(name)
        public = {k for k, v in vars(package).items()
                  if not k.startswith("_") and not inspect.ismodule(v)}
        assert set(package.__all__) == public, name
        assert len(package.__all__) == len(set(package.__all__)), name
