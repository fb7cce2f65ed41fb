"""The independent float64 route to the CCEM optimum, typed in by hand from THEORY.md (not
from the library): l(x), l'(x) and the minimiser x* on [0, 1] by convexity and brentq."""

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit


def l_and_dl(N, t, b):
    """l(x) and l'(x) of the sigmoid loss on CCEM(sqrt(x)), stable in float64."""
    def l(x):
        return np.logaddexp(0, b - t * (2 * x - 1)) + (N - 1) * np.logaddexp(
            0, t * (x * (N - 2) / (N - 1) - 1) - b)

    def dl(x):
        return -2 * t * expit(b - t * (2 * x - 1)) + (N - 2) * t * expit(t * (x * (N - 2) / (N - 1) - 1) - b)

    return l, dl


def ccem_min(N, t, b):
    """x* = argmin l(x) on [0, 1] and l(x*)."""
    l, dl = l_and_dl(N, t, b)
    if dl(1.0) <= 0:
        x = 1.0
    elif dl(0.0) >= 0:
        x = 0.0
    else:
        x = brentq(dl, 0.0, 1.0, xtol=1e-15, rtol=1e-15)
    return x, float(l(x))
