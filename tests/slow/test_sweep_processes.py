"""A sweep over local worker processes gives the records of the in-process sweep (spawned
workers import torch: a few seconds each, so this runs with ``-m slow``)."""

import pytest

from clverify.numerics.descent.grid import parse_grid
from clverify.numerics.descent.store import ResultStore
from clverify.numerics.descent.sweep import records_in_order, run_sweep

GRID = 'N = [4, 5, 6]\nt = 2.0\nb = [1.0, 3.0]\nseeds = [0, 1]\nrestarts = 1\n'


def _records(path, configs, **kw):
    with ResultStore(path) as store:
        run_sweep(configs, store, device="cpu", max_batch=6, **kw)
        return records_in_order(configs, store)


@pytest.mark.slow
def test_local_processes_give_the_same_records(tmp_path):
    configs = parse_grid(GRID)
    assert _records(tmp_path / "b.sqlite", configs, workers=2) == _records(tmp_path / "a.sqlite", configs)
