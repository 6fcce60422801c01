"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV").

Each purchase of a customer is worth a Gamma(p, ν) amount, and ν varies across customers
as Gamma(q, γ) (``v`` below is γ). Fitted by maximum likelihood on the customers with
repeat purchases: their number ``x`` and mean amount ``m_x`` are all the model needs. A
customer's expected spend per purchase is a weighted mean of the population mean
``p·v / (q − 1)`` and their own ``m_x``:

    E[M | p, q, v, x, m_x] = (p·v + p·x·m_x) / (p·x + q − 1)

The model assumes spend per purchase does not depend on how often a customer buys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recsys.errors import DataError
from recsys.value.likelihood import minimise_negative_log_likelihood
from recsys.value.summary import AVG_REPEAT_SPEND, REPEAT_PURCHASES

MIN_REPEAT_CUSTOMERS = 5
"""Fewer customers with repeat purchases than this cannot identify three parameters."""



def gamma_gamma_log_likelihood(params: np.ndarray, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Return each customer's log-likelihood of mean spend ``m_x`` over ``x`` purchases.

    Parameters
    ----------
    params : array of 3 floats
        ``p, q, v``, all positive.
    x, m_x : arrays of float
        Repeat purchases (> 0) and their mean amount (> 0).

    Returns
    -------
    ndarray: the log density of ``m_x`` (Fader & Hardie, "The Gamma-Gamma model of
    monetary value", 2013, eq. 4).
    """
    p, q, v = params
    px = p * x
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
        + (px - 1) * np.log(m_x) + px * np.log(x) - (px + q) * np.log(v + x * m_x)
    )


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma spend model fitted by maximum likelihood.

    Attributes
    ----------
    p_, q_, v_ : float
        Fitted parameters (``v`` is the scale γ of the paper, in currency).
    log_likelihood_ : float
    n_customers_ : int
        Customers the model was fitted on (repeat purchases and a positive mean spend).
    fitted_mean_ : float
        Mean of their average spend per repeat purchase.
    """

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        """Fit on the customers of ``summary`` with repeat purchases and positive mean spend.

        Parameters
        ----------
        summary : DataFrame
            Columns ``repeat_purchases`` and ``avg_repeat_spend`` (as from
            :func:`recsys.value.summary.customer_summary`).

        Returns
        -------
        self
        """
        x, m_x = self._columns(summary)
        keep = (x > 0) & (m_x > 0)
        if keep.sum() < MIN_REPEAT_CUSTOMERS:
            raise DataError(
                f"the spend model needs at least {MIN_REPEAT_CUSTOMERS} customers who bought on two "
                f"different days, got {int(keep.sum())}: use a data set covering a longer period"
            )
        x, m_x = x[keep], m_x[keep]

        def negative(log_params: np.ndarray) -> float:
            value = -gamma_gamma_log_likelihood(np.exp(log_params), x, m_x).sum()
            return float(value) if np.isfinite(value) else 1e300

        start = np.log([1.0, 2.0, max(float(np.median(m_x)), 1e-3)])
        best = minimise_negative_log_likelihood(negative, start)
        self.p_, self.q_, self.v_ = (float(v) for v in np.exp(best.x))
        self.log_likelihood_ = float(-best.fun)
        self.n_customers_ = int(keep.sum())
        self.fitted_mean_ = float(m_x.mean())
        return self

    @staticmethod
    def _columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        missing = {REPEAT_PURCHASES, AVG_REPEAT_SPEND} - set(summary.columns)
        if missing:
            raise DataError(f"the customer summary lacks columns {sorted(missing)}")
        return (
            summary[REPEAT_PURCHASES].to_numpy(dtype=np.float64),
            summary[AVG_REPEAT_SPEND].to_numpy(dtype=np.float64),
        )

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters as ``{"p", "q", "v"}``."""
        check_is_fitted(self, "p_")
        return {"p": self.p_, "q": self.q_, "v": self.v_}

    @property
    def population_mean_(self) -> float:
        """Expected spend per purchase of a customer with no repeat purchase: p·v / (q − 1).

        Infinite when ``q ≤ 1`` (a spend distribution without a mean); then the mean of
        the fitted customers' spend is a safer figure and :meth:`expected_spend` uses it.
        """
        check_is_fitted(self, "p_")
        return self.p_ * self.v_ / (self.q_ - 1.0) if self.q_ > 1.0 else float("inf")

    def expected_spend(self, summary: pd.DataFrame) -> np.ndarray:
        """Return each customer's expected spend per purchase (float, ≥ 0, currency).

        Customers without a repeat purchase get the population mean; the others the
        weighted mean of it and their own average (see the module docstring).
        """
        check_is_fitted(self, "p_")
        x, m_x = self._columns(summary)
        p, q, v = self.p_, self.q_, self.v_
        denominator = p * x + q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = (p * v + p * x * np.maximum(m_x, 0.0)) / denominator
        return np.where(denominator > 0, np.maximum(spend, 0.0), self.fitted_mean_)
