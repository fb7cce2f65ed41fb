"""pytest adapter over the registry: every check at every point is a test item.

Files named ``*.py`` in a folder called ``theorems`` are collected through
their ``THEOREMS`` list: one collector per theorem, one item per (check,
parameter point), named ``<level>:<check>[<point>]``, and one item per mutant,
``mutant:<name>``, which passes when the theorem's checks refute the mutant.
Items carry the markers ``proof``, ``certified``, ``numerical``, ``empirical`` or ``mutant``,
so ``pytest -k thm2`` or ``pytest -m certified`` select them.

Registered through the ``pytest11`` entry point, so ``pytest --pyargs clverify.proofs_check``
runs the built-in registry.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

from .registry import LEVELS, Theorem, check_label
from .runner import mutant_refutation, run_check, run_theorem

_MARKERS = {
    "proof": "registry check: a symbolic proof (SymPy) for every value it states",
    "certified": "registry check: python-flint ball arithmetic on a stated set of points or boxes",
    "numerical": "registry check: high precision (mpmath), not rigorous",
    "empirical": "registry check: float64 gradient descent or sampling",
    "mutant": "a deliberately false variant of a theorem that its checks must refute",
}


def pytest_addoption(parser):
    group = parser.getgroup("clverify", "clverify theorem registry")
    group.addoption("--clverify-thorough", action="store_true",
                    help="also run each check's thorough parameter points")
    group.addoption("--clverify-no-mutants", action="store_true",
                    help="do not collect the mutant items")


def pytest_configure(config):
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_report_header(config):
    profile = "thorough" if config.getoption("clverify_thorough") else "fast"
    mutants = "off" if config.getoption("clverify_no_mutants") else "on"
    return f"clverify registry: profile={profile}, mutants={mutants}"


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".py" and file_path.parent.name == "theorems" and file_path.stem != "__init__":
        return TheoremFile.from_parent(parent, path=file_path)
    return None


def _module_names(path: Path) -> list[str]:
    """Import names to try for ``path``: its dotted name from the chain of ``__init__.py``
    files, under this package's one import name first (``proofs_check/theorems/lee2024.py``
    is ``clverify.proofs_check.theorems.lee2024``), then as is."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.append(folder.name)
        folder = folder.parent
    if len(parts) == 1:
        return []
    name = ".".join(reversed(parts))
    return [f"clverify.{name}", name]


def _load(path: Path):
    """The module at ``path``: imported by name when that name resolves to this very file
    (so a registry module is never loaded twice), else from the file itself."""
    for name in _module_names(path):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if Path(module.__file__).resolve() == path.resolve():
            return module
    spec = importlib.util.spec_from_file_location(f"clverify_theorems_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class TheoremFile(pytest.File):
    def collect(self):
        for thm in sorted(getattr(_load(self.path), "THEOREMS", ()), key=lambda t: t.id):
            yield TheoremCollector.from_parent(self, name=thm.id, theorem=thm)


class TheoremCollector(pytest.Collector):
    def __init__(self, *, theorem: Theorem, **kwargs):
        super().__init__(**kwargs)
        self.theorem = theorem

    def collect(self):
        thorough = self.config.getoption("clverify_thorough")
        if self.theorem.kind == "refutation":  # one item: the published statement is refuted
            yield RefutationItem.from_parent(self, name="refutation:reproduced")
        else:
            for check in self.theorem.checks:
                for point in check.points_for(thorough):
                    item = CheckItem.from_parent(self, name=check_label(check, point), check=check, point=point)
                    item.add_marker(check.level)
                    yield item
        if not self.config.getoption("clverify_no_mutants"):
            for mutant in self.theorem.mutants:
                item = MutantItem.from_parent(self, name=f"mutant:{mutant.name}", mutant=mutant)
                item.add_marker("mutant")
                yield item

    def reportinfo(self):
        return self.path, 0, f"theorem {self.theorem.id}"


_HIDDEN = {Path(__file__).resolve(), Path(__file__).with_name("runner.py").resolve()}


class RegistryFailure(Exception):
    """A check failed or a mutant survived: reported by ``repr_failure`` without a traceback."""


class _RegistryItem(pytest.Item):
    @property
    def theorem(self) -> Theorem:
        return self.parent.theorem

    def reportinfo(self):
        return self.path, 0, f"{self.theorem.id}::{self.name}"

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, RegistryFailure):  # broken code: show its frames only
            excinfo.traceback = excinfo.traceback.filter(
                lambda entry: Path(entry.path).resolve() not in _HIDDEN
                and "_pytest" not in Path(entry.path).parts and "pluggy" not in Path(entry.path).parts)
            return super().repr_failure(excinfo, style or "short")
        thm = self.theorem
        return "\n".join([
            f"theorem {thm.id} ({thm.source})",
            f"  claim: {thm.statement}",
            f"  {excinfo.value}",
            f"  reproduce: {thm.command}",
        ])


class CheckItem(_RegistryItem):
    def __init__(self, *, check, point, **kwargs):
        super().__init__(**kwargs)
        self.check, self.point = check, point

    def runtest(self):
        __tracebackhide__ = True
        outcome = run_check(self.check, self.theorem.claim, self.point,
                            self.config.getoption("clverify_thorough"))
        if outcome.status != "pass":
            raise RegistryFailure(f"{outcome.status}: {self.name}: {outcome.message}")


class MutantItem(_RegistryItem):
    def __init__(self, *, mutant, **kwargs):
        super().__init__(**kwargs)
        self.mutant = mutant

    def runtest(self):
        __tracebackhide__ = True
        if mutant_refutation(self.theorem, self.mutant, self.config.getoption("clverify_thorough")) is None:
            raise RegistryFailure(
                f"mutant {self.mutant.name!r} survived every check (it is false because: "
                f"{self.mutant.reason})"
            )


class RefutationItem(_RegistryItem):
    """A published statement documented as false: passes when its checks still refute it and
    every other check runs as recorded (:attr:`TheoremResult.failed`, as ``clverify check``)."""

    def runtest(self):
        __tracebackhide__ = True
        result = run_theorem(self.theorem, thorough=self.config.getoption("clverify_thorough"))
        if result.status != "refuted":
            raise RegistryFailure(
                f"the documented refutation no longer reproduces (status {result.status}); "
                f"corrected form: {self.theorem.corrected_by}")
        if result.unexpected:
            raise RegistryFailure("refuted as documented, but " + "; ".join(
                f"{o.status}: {o.label}: {o.message}" for o in result.unexpected))


assert set(_MARKERS) == {*LEVELS, "mutant"}
