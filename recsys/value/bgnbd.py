"""The BG/NBD model of repeat purchasing and drop-out (Fader, Hardie & Lee 2005).

While active, a customer buys as a Poisson process with rate λ; after each purchase they
drop out for good with probability p. Across customers λ ~ Gamma(r, α) and
p ~ Beta(a, b). The four parameters are fitted by maximum likelihood on each customer's
repeat purchases ``x``, recency ``t_x`` and age ``T`` (see :mod:`recsys.value.summary`),
which is all the model needs. The formulas are those of the paper and of Fader, Hardie &
Lee, "Computing P(alive) using the BG/NBD model" (2008):

- P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a / (b + x − 1) · ((α + T) / (α + t_x))^(r+x))
- E[Y(t) | x, t_x, T] = (a + b + x − 1) / (a − 1)
  · [1 − ((α + T) / (α + T + t))^(r+x) · ₂F₁(r + x, b + x; a + b + x − 1; t / (α + T + t))]
  · P(alive | x, t_x, T)

The hypergeometric term is computed after Euler's transformation,
``(1 − z)^(a − 1) · ₂F₁(a + b − 1 − r, a − 1; a + b + x − 1; z)``, whose series stays
small and accurate for customers with hundreds of purchases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, expit, gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recsys.errors import DataError
from recsys.value.likelihood import minimise_negative_log_likelihood
from recsys.value.summary import REPEAT_PURCHASES, T_LAST, T_OBSERVED

MIN_CUSTOMERS = 10
"""Fewer customers than this cannot identify four parameters."""



def _columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = {REPEAT_PURCHASES, T_LAST, T_OBSERVED} - set(summary.columns)
    if missing:
        raise DataError(f"the customer summary lacks columns {sorted(missing)}")
    x = summary[REPEAT_PURCHASES].to_numpy(dtype=np.float64)
    t_x = summary[T_LAST].to_numpy(dtype=np.float64)
    big_t = summary[T_OBSERVED].to_numpy(dtype=np.float64)
    return x, t_x, big_t


def bgnbd_log_likelihood(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """Return each customer's log-likelihood under BG/NBD parameters ``(r, alpha, a, b)``.

    Parameters
    ----------
    params : array of 4 floats
        ``r, alpha, a, b``, all positive.
    x, t_x, big_t : arrays of float, same shape
        Repeat purchases, recency and age (``T``) of each customer, ``0 ≤ t_x ≤ T``.

    Returns
    -------
    ndarray
        ``log L(r, α, a, b | x, t_x, T)`` per customer (Fader, Hardie & Lee 2005, eq. 6).
    """
    r, alpha, a, b = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still = betaln(a, b + x) - (r + x) * np.log(alpha + big_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return head + np.logaddexp(still, dropped)


class BetaGeoModel(BaseEstimator):
    """BG/NBD model fitted by maximum likelihood.

    Parameters
    ----------
    time_unit : {"D", "W"}, default "D"
        Unit of the recency and age the model is fitted on; ``alpha`` is in this unit and
        ``t`` of the predictions too.

    Attributes
    ----------
    r_, alpha_, a_, b_ : float
        Fitted parameters: purchase rates ~ Gamma(shape r, rate α); drop-out
        probabilities ~ Beta(a, b).
    log_likelihood_ : float
        Total log-likelihood at the optimum.
    n_customers_ : int
    """

    def __init__(self, *, time_unit: str = "D") -> None:
        self.time_unit = time_unit

    def fit(self, summary: pd.DataFrame) -> BetaGeoModel:
        """Fit the four parameters on a customer summary.

        Parameters
        ----------
        summary : DataFrame
            Columns ``repeat_purchases``, ``t_last``, ``t_observed`` (as from
            :func:`recsys.value.summary.customer_summary`, in ``time_unit``).

        Returns
        -------
        self
        """
        x, t_x, big_t = _columns(summary)
        if len(x) < MIN_CUSTOMERS:
            raise DataError(
                f"customer value needs at least {MIN_CUSTOMERS} customers with purchases, got "
                f"{len(x)}: load a larger data set or an earlier calibration end"
            )
        if not (x > 0).any():
            raise DataError(
                "no customer bought on two different days: the repeat-purchase model has nothing "
                "to learn from; use a data set covering a longer period"
            )
        # Customers with the same (x, t_x, T) share one likelihood term: fit on the distinct
        # triples with their counts.
        triples, counts = np.unique(np.column_stack([x, t_x, big_t]), axis=0, return_counts=True)
        ux, ut_x, ubig_t = triples.T

        def negative(log_params: np.ndarray) -> float:
            value = -(counts * bgnbd_log_likelihood(np.exp(log_params), ux, ut_x, ubig_t)).sum()
            return float(value) if np.isfinite(value) else 1e300

        start = np.log([1.0, max(float(np.mean(big_t)), 1e-3) / 10.0, 1.0, 1.0])
        best = minimise_negative_log_likelihood(negative, start)
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in np.exp(best.x))
        self.log_likelihood_ = float(-best.fun)
        self.n_customers_ = int(len(x))
        return self

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters as ``{"r", "alpha", "a", "b"}``."""
        check_is_fitted(self, "r_")
        return {"r": self.r_, "alpha": self.alpha_, "a": self.a_, "b": self.b_}

    def probability_alive(self, summary: pd.DataFrame) -> np.ndarray:
        """Return P(still active) at the calibration end of each customer (in [0, 1]).

        Customers without a repeat purchase have not had a chance to drop out yet
        (drop-out happens right after a purchase in BG/NBD): their probability is 1.
        """
        check_is_fitted(self, "r_")
        x, t_x, big_t = _columns(summary)
        return self._p_alive(x, t_x, big_t)

    def _p_alive(self, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (
                np.log(alpha + big_t) - np.log(alpha + t_x)
            )
        return np.where(x > 0, expit(-log_odds), 1.0)

    def expected_purchases(self, summary: pd.DataFrame, t: float) -> np.ndarray:
        """Return each customer's expected purchases in the ``t`` time units after ``T``.

        Parameters
        ----------
        summary : DataFrame
            Columns ``repeat_purchases``, ``t_last``, ``t_observed``.
        t : float
            Length of the future period, in ``time_unit``.

        Returns
        -------
        ndarray of float, ≥ 0: E[Y(t) | x, t_x, T].
        """
        check_is_fitted(self, "r_")
        x, t_x, big_t = _columns(summary)
        return self._conditional(x, t_x, big_t, float(t))

    def _conditional(self, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, t: float) -> np.ndarray:
        if t <= 0:
            return np.zeros_like(x, dtype=np.float64)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        z = t / (alpha + big_t + t)
        # Euler's transformation of (1 - z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the same
        # value, but finite when a and b are large (a short history), where the plain form
        # multiplies 0 by infinity.
        tail = (1.0 - z) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        expected = (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail)
        return np.maximum(expected * self._p_alive(x, t_x, big_t), 0.0)

    def expected_purchases_new(self, t: np.ndarray | float) -> np.ndarray:
        """Return E[X(t)]: expected repeat purchases of a customer in ``t`` units after the first.

        The unconditional expectation (the paper's eq. 9), used for the tracking curve
        of the whole customer base.
        """
        check_is_fitted(self, "r_")
        t = np.asarray(t, dtype=np.float64)
        r, alpha, a, b = self.r_, self.alpha_, self.a_, self.b_
        z = t / (alpha + t)
        tail = (1.0 - z) ** r * hyp2f1(r, b, a + b - 1.0, z)  # Euler's transformation, as above
        return np.where(t > 0, (a + b - 1.0) / (a - 1.0) * (1.0 - tail), 0.0)
