"""clverify: a symbolic and numerical theory verifier for contrastive-learning losses.

One import name, three layers (dependencies flow one way)::

    clverify.theory        exact and symbolic (SymPy): losses, structures, derivations
    clverify.numerics      numbers: precision (mpmath, Arb), descent (torch), output
    clverify.proofs_check  the theorem registry, its checks, the report and the CLI

The folders ``theory/``, ``numerics/`` and ``proofs_check/`` of the source tree are installed
as these sub-packages (``pyproject.toml``'s ``package-dir``).

The notebook API is re-exported here, loaded on first use (so that ``import clverify.theory``
never imports torch): :func:`analyse` and :func:`track_regimes`
(:mod:`clverify.numerics.analyse`; ``sweep`` is its deprecated alias), :func:`load_loss` (:mod:`clverify.theory.loss_files`), and
:data:`LOSSES`, :class:`Loss` (:mod:`clverify.theory.losses`).

>>> import clverify.theory
>>> clverify.theory.__name__
'clverify.theory'
>>> from clverify import analyse, load_loss
>>> analyse.__module__, load_loss.__module__
('clverify.numerics.analyse', 'clverify.theory.loss_files')
"""

from importlib import import_module as _import_module
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("clverify")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

#: Public name -> the module that defines it.
_API = {
    "analyse": "clverify.numerics.analyse",
    "track_regimes": "clverify.numerics.analyse",
    "sweep": "clverify.numerics.analyse",     # deprecated alias of track_regimes
    "Analysis": "clverify.numerics.analyse",
    "load_loss": "clverify.theory.loss_files",
    "LOSSES": "clverify.theory.losses",
    "Loss": "clverify.theory.losses",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(_import_module(_API[name]), name)
    raise AttributeError(f"module 'clverify' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
