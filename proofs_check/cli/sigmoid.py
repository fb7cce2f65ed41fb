"""Sigmoid-loss theory commands: ``thresholds``, ``phase``, ``optimum``, ``derive``."""

from . import main  # noqa: F401
