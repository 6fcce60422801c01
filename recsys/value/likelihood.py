"""Maximum-likelihood fitting shared by the value models (log-parameters, L-BFGS-B)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import OptimizeResult, minimize

LOG_BOUNDS = (-12.0, 12.0)
"""Bounds of the log of each parameter (about 6e-6 to 1.6e5)."""


def minimise_negative_log_likelihood(
    negative: Callable[[np.ndarray], float], start: np.ndarray
) -> OptimizeResult:
    """Return the minimum of ``negative`` over log-parameters, starting at ``start``.

    L-BFGS-B with tight tolerances, then once more from its result: the restart renews the
    curvature estimate, which settles flat likelihoods (where one parameter barely matters)
    at a few evaluations' cost.
    """
    options = {"ftol": 1e-13, "gtol": 1e-8, "maxiter": 2000}
    bounds = [LOG_BOUNDS] * len(start)
    first = minimize(negative, np.asarray(start, dtype=np.float64), method="L-BFGS-B",
                     bounds=bounds, options=options)
    second = minimize(negative, first.x, method="L-BFGS-B", bounds=bounds, options=options)
    return second if second.fun <= first.fun else first
