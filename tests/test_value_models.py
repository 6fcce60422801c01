"""BG/NBD and Gamma-Gamma: published known answers, hand-computed formulas, recovery, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from recsys.errors import DataError
from recsys.value.bgnbd import BetaGeoModel, bgnbd_log_likelihood
from recsys.value.gammagamma import GammaGammaModel
from recsys.value.summary import (
    AVG_REPEAT_SPEND,
    REPEAT_PURCHASES,
    T_LAST,
    T_OBSERVED,
    customer_summary,
)

CDNOW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


def _fitted(r: float, alpha: float, a: float, b: float) -> BetaGeoModel:
    model = BetaGeoModel(time_unit="W")
    model.r_, model.alpha_, model.a_, model.b_ = r, alpha, a, b
    return model


def _summary(x, t_x, big_t, m_x=None) -> pd.DataFrame:
    frame = pd.DataFrame({REPEAT_PURCHASES: x, T_LAST: t_x, T_OBSERVED: big_t})
    if m_x is not None:
        frame[AVG_REPEAT_SPEND] = m_x
    return frame


@pytest.fixture(scope="module")
def cdnow_days() -> pd.DataFrame:
    if not CDNOW.exists():
        pytest.skip(f"CDNOW sample not found at {CDNOW} (kept outside the repository)")
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str, 2: str},
                      names=["customer_id", "full_id", "date", "cds", "amount"])
    raw["day"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw.groupby(["customer_id", "day"], as_index=False)["amount"].sum()


@pytest.mark.real_data
def test_bgnbd_cdnow_matches_fader_hardie_lee_2005(cdnow_days):
    summary = customer_summary(cdnow_days, calibration_end="1997-09-30", time_unit="W")
    assert len(summary) == 2357
    model = BetaGeoModel(time_unit="W").fit(summary)
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=0.01), name
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)


@pytest.mark.real_data
def test_gamma_gamma_cdnow_matches_fader_hardie_lee_2005(cdnow_days):
    summary = customer_summary(cdnow_days, calibration_end="1997-09-30", time_unit="W")
    model = GammaGammaModel().fit(summary)
    assert model.n_customers_ == 946
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert model.params_[name] == pytest.approx(value, rel=0.01), name


def test_bgnbd_log_likelihood_of_a_customer_without_repeat_is_r_log_alpha_over_alpha_plus_t():
    # x = 0: L = (alpha / (alpha + T))^r, whatever a and b.
    ll = bgnbd_log_likelihood(np.array([0.5, 2.0, 0.7, 3.0]), np.array([0.0]), np.array([0.0]), np.array([6.0]))
    assert ll[0] == pytest.approx(0.5 * np.log(2.0 / 8.0))


def test_bgnbd_probability_alive_by_hand():
    model = _fitted(r=1.0, alpha=1.0, a=1.0, b=2.0)
    # x = 2, t_x = 3, T = 5: 1 / (1 + 1/3 * (6/4)^3) = 1 / (1 + 1.125) = 8/17.
    p = model.probability_alive(_summary([2, 0], [3.0, 0.0], [5.0, 9.0]))
    assert p[0] == pytest.approx(8 / 17)
    assert p[1] == 1.0  # no repeat purchase yet: no chance to drop out


def test_bgnbd_conditional_expectation_equals_the_papers_formula():
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    model = _fitted(r, alpha, a, b)
    x, t_x, big_t, t = np.array([0, 2, 7]), np.array([0.0, 30.4, 35.0]), np.array([38.9, 38.9, 38.0]), 39.0
    z = t / (alpha + big_t + t)
    direct = (a + b + x - 1) / (a - 1) * (
        1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    ) / (1 + (x > 0) * a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))
    got = model.expected_purchases(_summary(x, t_x, big_t), t)
    np.testing.assert_allclose(got, direct, rtol=1e-9)


def test_bgnbd_new_customer_conditional_equals_unconditional():
    model = _fitted(0.5, 10.0, 0.6, 3.0)
    for t in (1.0, 10.0, 100.0):
        conditional = model.expected_purchases(_summary([0], [0.0], [0.0]), t)[0]
        assert conditional == pytest.approx(float(model.expected_purchases_new(t)))
    assert float(model.expected_purchases_new(0.0)) == 0.0


def test_bgnbd_expected_purchases_stay_finite_for_very_frequent_customers():
    model = _fitted(0.82, 69.0, 0.003, 7.2)
    got = model.expected_purchases(_summary([129, 400], [370.0, 370.0], [373.0, 373.0]), 365.0)
    assert np.isfinite(got).all() and (got > 50).all()


def test_bgnbd_expected_purchases_stay_finite_for_a_short_history():
    # The fit of a nine-day file: large a and b, where (1-z)^(a-1) 2F1(...) is 0 times infinity.
    model = _fitted(0.895, 6.876, 929.5, 358.6)
    summary = _summary([0, 2, 1], [0.0, 3.0, 5.0], [0.0, 6.0, 8.0])
    got = np.column_stack([model.expected_purchases(summary, t) for t in (30.0, 90.0, 365.0)])
    assert np.isfinite(got).all() and (got >= 0).all()
    assert (np.diff(got, axis=1) >= 0).all()  # more time, no fewer purchases
    new = [float(model.expected_purchases_new(t)) for t in (30.0, 90.0, 365.0)]
    np.testing.assert_allclose(got[0], new, rtol=1e-9)  # a new customer: conditional = unconditional


def _simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, horizon: float, rng) -> pd.DataFrame:
    rng = np.random.default_rng(rng)
    lam = rng.gamma(r, 1 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > horizon:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return _summary(x, t_x, np.full(n, horizon))


def test_bgnbd_recovers_the_parameters_of_simulated_customers():
    summary = _simulate_bgnbd(6000, r=0.5, alpha=5.0, a=0.8, b=2.5, horizon=52.0, rng=5)
    model = BetaGeoModel(time_unit="W").fit(summary)
    assert model.r_ == pytest.approx(0.5, rel=0.15)
    assert model.alpha_ == pytest.approx(5.0, rel=0.2)
    assert model.a_ / (model.a_ + model.b_) == pytest.approx(0.8 / 3.3, rel=0.2)


def test_bgnbd_weeks_and_days_give_the_same_model():
    days = _simulate_bgnbd(1500, r=0.5, alpha=30.0, a=0.8, b=2.5, horizon=300.0, rng=2)
    weeks = days.assign(**{T_LAST: days[T_LAST] / 7, T_OBSERVED: days[T_OBSERVED] / 7})
    in_days = BetaGeoModel(time_unit="D").fit(days)
    in_weeks = BetaGeoModel(time_unit="W").fit(weeks)
    for name in ("r", "a", "b"):
        assert in_days.params_[name] == pytest.approx(in_weeks.params_[name], rel=1e-3)
    assert in_days.alpha_ / 7 == pytest.approx(in_weeks.alpha_, rel=1e-3)


def test_bgnbd_fit_leaves_the_summary_unchanged_and_repeats_exactly():
    summary = _simulate_bgnbd(500, r=0.5, alpha=5.0, a=0.8, b=2.5, horizon=52.0, rng=1)
    before = summary.copy()
    first = BetaGeoModel(time_unit="W").fit(summary).params_
    pd.testing.assert_frame_equal(summary, before)
    assert BetaGeoModel(time_unit="W").fit(summary).params_ == first


def test_bgnbd_refuses_too_few_customers_and_no_repeat_purchases():
    with pytest.raises(DataError, match="at least 10 customers"):
        BetaGeoModel().fit(_summary([1, 0], [3.0, 0.0], [5.0, 5.0]))
    with pytest.raises(DataError, match="no customer bought on two different days"):
        BetaGeoModel().fit(_summary([0] * 12, [0.0] * 12, [5.0] * 12))
    with pytest.raises(DataError, match="lacks columns"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1] * 12}))


def test_gamma_gamma_expected_spend_by_hand():
    model = GammaGammaModel()
    model.p_, model.q_, model.v_, model.fitted_mean_ = 2.0, 3.0, 10.0, 25.0
    spend = model.expected_spend(_summary([2, 0], [1.0, 0.0], [2.0, 2.0], m_x=[30.0, 0.0]))
    # (p v + p x m) / (p x + q - 1): (20 + 120) / 6 and, without repeat, p v / (q - 1) = 10.
    np.testing.assert_allclose(spend, [140 / 6, 10.0])
    assert model.population_mean_ == pytest.approx(10.0)


def test_gamma_gamma_recovers_simulated_spend():
    rng = np.random.default_rng(8)
    n, p, q, v = 4000, 4.0, 3.0, 20.0
    nu = rng.gamma(q, 1 / v, size=n)
    x = rng.integers(1, 12, size=n)
    m_x = np.array([rng.gamma(p, 1 / nu[i], size=x[i]).mean() for i in range(n)])
    model = GammaGammaModel().fit(_summary(x, np.ones(n), np.ones(n), m_x=m_x))
    assert model.p_ == pytest.approx(p, rel=0.15)
    assert model.population_mean_ == pytest.approx(p * v / (q - 1), rel=0.15)


def test_gamma_gamma_ignores_customers_without_repeat_or_spend_and_refuses_too_few():
    x = [0, 0, 3, 2, 4, 1, 5, 2]
    m_x = [0.0, 0.0, 10.0, 0.0, 12.0, 8.0, 20.0, 9.0]
    model = GammaGammaModel().fit(_summary(x, [0.0] * 8, [1.0] * 8, m_x=m_x))
    assert model.n_customers_ == 5
    with pytest.raises(DataError, match="at least 5 customers who bought on two different days"):
        GammaGammaModel().fit(_summary([1, 2], [1.0, 1.0], [2.0, 2.0], m_x=[3.0, 4.0]))
