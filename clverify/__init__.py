"""clverify: a symbolic and numerical theory verifier for contrastive-learning losses.

One import name, three layers (dependencies flow one way)::

    clverify.theory        exact and symbolic (SymPy): losses, structures, derivations
    clverify.numerics      numbers: precision (mpmath, Arb), descent (torch), output
    clverify.proofs_check  the theorem registry, its checks, the report and the CLI

The folders ``theory/``, ``numerics/`` and ``proofs_check/`` of the source tree are installed
as these sub-packages (``pyproject.toml``'s ``package-dir``).

>>> import clverify.theory
>>> clverify.theory.__name__
'clverify.theory'
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("clverify")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
