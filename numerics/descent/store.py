"""A sweep's results store: one SQLite file, one row per configuration key.

Rows are written a batch at a time in one transaction, so a sweep killed at any moment
leaves every finished batch stored and no partial one; a configuration already stored is
never recomputed or overwritten (the first record written wins).  Each row keeps the
record (strict JSON), the wall seconds its batch took per configuration, and the provenance
of the code that computed it (version, git commit, libraries, device).  SQLite is in the
standard library and needs no server; only the process that runs the sweep writes to it
(workers return their records to it).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sweep.sqlite"
>>> with ResultStore(path) as store:
...     first = store.put([("k1", {"loss": 1.5}, 0.25)], {"device": "cpu"})
...     again = store.put([("k1", {"loss": 9.0}, 0.25)], {"device": "cpu"})   # stored: ignored
...     first, again, sorted(store.keys()), store.records(["k1", "k2"])
(1, 0, ['k1'], [{'loss': 1.5}, None])
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["ResultStore", "STORE_NAME", "code_version"]

#: File name of the store inside a sweep's output directory.
STORE_NAME = "sweep.sqlite"

#: Keys per SELECT (SQLite limits the number of bound parameters).
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    seconds REAL,
    provenance TEXT
)
"""


def code_version(provenance: dict) -> str:
    """``"VERSION COMMIT"`` of a provenance record, ``+dirty`` when its checkout had uncommitted
    changes: which code computed a row.

    >>> code_version({"version": "0.1.0", "git_commit": "abc", "git_dirty": True})
    '0.1.0 abc+dirty'
    """
    dirty = "+dirty" if provenance.get("git_dirty") else ""
    return f"{provenance.get('version')} {provenance.get('git_commit')}{dirty}"


class ResultStore:
    """Records keyed by configuration in the SQLite file ``path`` (created if absent)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, timeout=60)
        with self._db:
            self._db.execute(_SCHEMA)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._db.close()

    def keys(self) -> set[str]:
        """Every stored configuration key."""
        return {k for (k,) in self._db.execute("SELECT key FROM records")}

    def put(self, rows: Iterable[tuple[str, dict, float]], provenance: dict) -> int:
        """Store ``(key, record, seconds)`` rows in one transaction; keys already stored are
        left as they are.  Returns the number of rows written."""
        prov = json.dumps(provenance, sort_keys=True, allow_nan=False)
        data = [(k, json.dumps(r, allow_nan=False), s, prov) for k, r, s in rows]
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO records (key, record, seconds, provenance) VALUES (?, ?, ?, ?)", data)
            return self._db.total_changes - before

    def _column(self, column: str, keys: Sequence[str]) -> dict:
        found = {}
        for i in range(0, len(keys), _CHUNK):
            part = list(keys[i:i + _CHUNK])
            query = f"SELECT key, {column} FROM records WHERE key IN ({','.join('?' * len(part))})"
            found.update(self._db.execute(query, part))
        return found

    def records(self, keys: Sequence[str]) -> list[dict | None]:
        """The stored records of ``keys``, in that order (None where a key is not stored)."""
        found = self._column("record", keys)
        return [json.loads(found[k]) if k in found else None for k in keys]

    def code_versions(self, keys: Sequence[str]) -> dict[str, int]:
        """How many of the stored ``keys`` each code version (:func:`code_version`) computed.

        >>> import tempfile, pathlib
        >>> with ResultStore(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite") as store:
        ...     _ = store.put([("k", {}, 0.0)], {"version": "0.1.0", "git_commit": "abc", "git_dirty": True})
        ...     store.code_versions(["k", "absent"])
        {'0.1.0 abc+dirty': 1}
        """
        counts: dict[str, int] = {}
        for text in self._column("provenance", keys).values():
            version = code_version(json.loads(text or "{}"))
            counts[version] = counts.get(version, 0) + 1
        return counts

    def seconds(self, keys: Sequence[str]) -> list[float | None]:
        """The wall seconds per configuration of ``keys`` (None where not stored)."""
        found = self._column("seconds", keys)
        return [found.get(k) for k in keys]
