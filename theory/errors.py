"""Every exception the verifier raises on purpose.

Each class's docstring lists the likely causes.  Input errors are
``ValueError`` subclasses, so callers that only know the standard library can
still catch them; the CLI turns :class:`VerifierError` into a one-line message
and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "VerifierError",
    "InvalidParameterError",
    "UnknownChoiceError",
    "CertificationError",
    "ConvergenceError",
    "LossDefinitionError",
]


class VerifierError(Exception):
    """Base class of every error raised on purpose by this package."""


class InvalidParameterError(VerifierError, ValueError):
    """A parameter is outside its valid range.

    Likely causes: N below the minimum batch size of a structure, a dimension
    ``d < N`` for the CCEM (which needs ``d >= N``), a temperature ``t <= 0``,
    NaN or infinite input, or a precision outside ``[15, 10000]`` digits.
    The message names the parameter, the value received and the valid range.
    """


class UnknownChoiceError(InvalidParameterError):
    """A name (loss, format, solver, kernel, device, ...) is not one of the known ones.

    The message lists the valid names.
    """


class CertificationError(VerifierError):
    """A ball-arithmetic certificate could not be established.

    Likely causes: the precision is too low for the requested enclosure width,
    or the root sits so close to an endpoint of its bracket that no sign change
    can be proved.  Try more digits, or report the value as uncertified.
    """


class ConvergenceError(VerifierError):
    """An iterative method stopped without meeting its convergence criterion.

    The message gives the residual (or gradient norm), the tolerance and what
    to try (more iterations, more restarts, a different solver).
    """


class LossDefinitionError(InvalidParameterError):
    """A loss (a user's loss file or function) cannot be used.

    Likely causes: the file does not exist or has a syntax error; it defines no function of
    the given name; the function's signature is not ``NAME(grams, ops, **params)`` (keyword
    parameters only after ``grams, ops``; the names ``N``, ``x``, ``delta`` are reserved); it
    calls a function outside ``ops`` (``math.exp``, ``numpy.exp``, ``torch.exp``) or ``ops``
    has no such function; it branches on a value (``if s > 0``), which a symbolic or batched
    backend cannot decide; it returns NaN or infinity.  The message names the loss and the
    backend where it failed.
    """
