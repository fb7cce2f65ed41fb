"""Output: tables with provenance (md, csv, LaTeX, strict JSON) and figures.

Re-exported here: the tables.  The figures (:mod:`clverify.numerics.output.figures`, which loads
matplotlib) are imported by module name.
"""

from .tables import DEFAULT_DIGITS, FORMATS, provenance, render, to_jsonable

__all__ = ["DEFAULT_DIGITS", "FORMATS", "provenance", "render", "to_jsonable"]
