"""AppTest of the Customer page on a small generated shop and on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.data.cancellations import match_cancellations
from recsys.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "customer.py")


@pytest.fixture(scope="module")
def small_dataset():
    """A 250-customer generated shop (its customers table also has ~10 that never bought)."""
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=250, seed=5).to_dataset()


@pytest.fixture
def page(small_dataset, monkeypatch):
    """Return a function that runs the page (on ``dataset``, by default the small shop)
    with an optional ?customer= link."""
    from ui import state

    def run(*, link: str | None = None, dataset=None) -> AppTest:
        chosen = small_dataset if dataset is None else dataset
        monkeypatch.setattr(state, "get_dataset", lambda: chosen)
        at = AppTest.from_file(PAGE, default_timeout=120)
        if link is not None:
            at.query_params["customer"] = link
        return at.run()

    return run


@pytest.fixture(scope="module")
def regular(small_dataset) -> str:
    """The id of the customer with the most invoices."""
    tx = small_dataset.customer_transactions
    return str(tx.groupby(S.CUSTOMER_ID)[S.INVOICE_ID].nunique().idxmax())


def _recommendations(at: AppTest) -> pd.DataFrame:
    frames = [df.value for df in at.dataframe if "reason" in df.value.columns]
    assert frames, "no recommendations table on the page"
    return frames[0]


def test_customer_page_without_customer_asks_for_one(page):
    at = page()
    assert not at.exception
    assert any("Type a customer ID" in info.value for info in at.info)


def test_customer_page_typed_id_shows_recommendations(page, regular):
    at = page()
    at.text_input(key="customer_input").input(regular).run()
    assert not at.exception
    recs = _recommendations(at)
    assert len(recs) == 10
    assert recs["rank"].tolist() == list(range(1, 11))
    assert recs["reason"].notna().all() and (recs["reason"].str.len() > 0).all()
    assert recs[S.DESCRIPTION].notna().all()
    assert at.query_params["customer"] == [regular] or at.query_params["customer"] == regular
    assert any(f"Customer {regular}" in h.value for h in at.subheader)


def test_customer_page_excludes_bought_unless_kept(page, regular, small_dataset):
    bought = set(
        small_dataset.customer_transactions.loc[
            small_dataset.customer_transactions[S.CUSTOMER_ID] == regular, S.PRODUCT_ID
        ]
    )
    at = page(link=regular)
    assert not set(_recommendations(at)[S.PRODUCT_ID]) & bought
    at.toggle(key="customer_keep_bought").set_value(True).run()
    assert not at.exception
    assert len(_recommendations(at)) == 10


def test_customer_page_unknown_id_gets_suggestions_and_cold_start(page, small_dataset):
    ids = sorted(int(c) for c in small_dataset.customers[S.CUSTOMER_ID])
    missing = ids[-1] + 1  # the generated ids are consecutive: the next one is unknown
    at = page()
    at.text_input(key="customer_input").input(f" {missing}.0 ").run()
    assert not at.exception
    assert not at.error
    [warning] = at.warning
    assert warning.value.startswith(f"No customer {missing} in this data set. Did you mean ")
    suggested = warning.value.split("Did you mean ")[1].split("?")[0].split(", ")
    assert len(suggested) == 3
    # Spelt like the typed id: one keystroke away, sharing its first four digits.
    assert all(len(s) == len(str(missing)) and s[:4] == str(missing)[:4] for s in suggested)
    # An unknown id still gets the starter list a new customer gets, with its reason.
    recs = _recommendations(at)
    assert len(recs) == 10 and recs[S.REASON].str.len().gt(0).all()
    assert any("cold-start" in i.value for i in at.info)
    # a suggestion button opens that customer
    at.button(key=f"customer_suggest_{suggested[0]}").click().run()
    assert not at.warning
    assert len(_recommendations(at)) == 10


def test_customer_page_deep_link_opens_customer(page, regular):
    at = page(link=f"{regular}.0")
    assert not at.exception
    assert at.text_input(key="customer_input").value == regular
    assert any(f"Customer {regular}" in h.value for h in at.subheader)
    labels = [m.label for m in at.metric]
    assert "Last purchase (days ago)" in labels and "Spend (£)" in labels
    assert len(labels) == len(set(labels))  # each figure shown once
    history = [df.value for df in at.dataframe if S.REVENUE in df.value.columns][0]
    dates = history[S.INVOICE_DATE].tolist()
    assert dates == sorted(dates, reverse=True)


def test_customer_page_cold_start_says_so(page, sample_dataset):
    """A real customer of the bundled sample who registered but never bought, by deep link."""
    buyers = set(sample_dataset.customer_transactions[S.CUSTOMER_ID])
    customers = sample_dataset.customers
    silent = customers[~customers[S.CUSTOMER_ID].isin(buyers)].iloc[0]
    cid = silent[S.CUSTOMER_ID]
    at = page(link=cid, dataset=sample_dataset)
    assert not at.exception
    assert any(f"Customer {cid}" in h.value for h in at.subheader)
    assert {m.label: m.value for m in at.metric}["Orders"] == "0"
    assert any("cold-start" in info.value for info in at.info)
    recs = _recommendations(at)
    assert len(recs) == 10
    # the reason names what is known of them (age group, country), not just the trend
    assert recs["reason"].str.startswith("popular with ").all()
    assert recs["reason"].str.contains(" aged ").all()
    assert recs["reason"].str.endswith(f" in {silent[S.COUNTRY]}").all()
    assert not recs["reason"].str.contains("popular right now").any()
    assert any("Nothing to buy again" in c.value for c in at.caption)


def test_customer_page_buy_again_lists_the_customer_own_products(page, regular, small_dataset):
    tx = small_dataset.customer_transactions
    bought = set(tx.loc[tx[S.CUSTOMER_ID] == regular, S.PRODUCT_ID].astype(str))
    at = page(link=regular)
    assert not at.exception
    assert any(h.value == "Buy again" for h in at.subheader)
    again = [df.value for df in at.dataframe if "reason" in df.value.columns][1]
    assert 0 < len(again) <= 10 and set(again[S.PRODUCT_ID]) <= bought
    assert again["reason"].str.startswith("you bought this").all()
    assert again["rank"].tolist() == list(range(1, len(again) + 1))
    labels = [b.label for b in at.get("download_button")]
    assert "Download buy-again list (CSV)" in labels


def test_customer_page_picker_opens_customer(page, regular):
    at = page()
    at.selectbox(key="customer_pick").set_value(regular).run()
    assert not at.exception
    assert at.text_input(key="customer_input").value == regular
    assert len(_recommendations(at)) == 10


def test_customer_page_switching_customers_keeps_working(page, regular, small_dataset):
    at = page(link=regular)
    other = next(c for c in small_dataset.customer_transactions[S.CUSTOMER_ID] if c != regular)
    at.text_input(key="customer_input").input(other).run()
    assert not at.exception
    assert any(f"Customer {other}" in h.value for h in at.subheader)
    similar = [df.value for df in at.dataframe if "reason" in df.value.columns]
    assert len(similar) == 3 and len(similar[2]) > 0  # recommended, buy again, similar
    at.text_input(key="customer_input").input("").run()
    assert not at.exception
    assert any("Type a customer ID" in info.value for info in at.info)


def test_customer_page_recommender_failure_is_an_error_not_a_traceback(page, regular, monkeypatch):
    from ui.cache import recommend

    def broken(*args, **kwargs):
        raise DataError("need at least 2 products")

    monkeypatch.setattr(recommend, "fitted_recommender", broken)
    at = page(link=regular)
    assert not at.exception
    [error] = at.error
    assert "need at least 2 products" in error.value
    assert any(f"Customer {regular}" in h.value for h in at.subheader)


def test_customer_page_one_line_customer_cancelled_and_plurals(page, small_dataset):
    import dataclasses

    tx = small_dataset.customer_transactions
    lines = tx.groupby(S.CUSTOMER_ID).size()
    buyer = str(lines.idxmin())  # the fewest lines: one, where some customer has one
    # Give the buyer one cancellation line of 3 x 2.50 = 7.50.
    cancel = tx[tx[S.CUSTOMER_ID] == buyer].head(1).copy()
    cancel[S.INVOICE_ID] = "C999999"
    cancel[S.QUANTITY] = -3
    cancel[S.UNIT_PRICE] = 2.5
    cancellations = pd.concat([small_dataset.cancellations, cancel], ignore_index=True)
    dataset = dataclasses.replace(small_dataset, cancellations=cancellations)
    at = page(link=buyer, dataset=dataset)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    own = cancellations[cancellations[S.CUSTOMER_ID] == buyer]
    bought = tx[tx[S.CUSTOMER_ID] == buyer]
    # Net: what the cancellations take back of the buyer's purchases, at the purchase price.
    taken = match_cancellations(bought, own).cancelled
    expected = float((taken * bought[S.UNIT_PRICE].to_numpy()).sum())
    assert metrics["Cancelled (£)"] == f"£{expected:,.0f}"
    kept = float(((bought[S.QUANTITY].to_numpy() - taken) * bought[S.UNIT_PRICE].to_numpy()).sum())
    assert metrics["Spend (£)"] == f"£{kept:,.0f}"
    n = int(lines.min())
    subheaders = [h.value for h in at.subheader]
    word = "line" if n == 1 else "lines"
    assert f"Purchase history ({n} {word}, newest first)" in subheaders
    # The search box counts buyers apart from registered customers without a purchase.
    label = at.selectbox[0].label
    assert f"({small_dataset.n_buyers:,} with purchases)" in label


def test_customer_page_shows_the_customers_predicted_value(page, regular, small_dataset):
    from recsys.value.clv import customer_value

    at = page(link=regular)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    row = customer_value(small_dataset).table.loc[regular]
    assert metrics["P(active)"] == f"{100 * row['p_alive']:.1f}%"
    assert metrics["Predicted value, 12 months (£)"] == f"£{row['predicted_value']:,.0f}"


def test_customer_page_recommendations_show_ratings_without_disliked_products(
        page, small_dataset):
    from recsys.insights.reviews import RATING_LABEL, rating_summary
    from recsys.recommend.ratings import low_rated_pairs

    low = low_rated_pairs(small_dataset.reviews)
    customer = str(low[S.CUSTOMER_ID].value_counts().index[0])
    at = page(link=customer)
    assert not at.exception
    recs = _recommendations(at)
    assert not set(recs[S.PRODUCT_ID]) & set(low.loc[low[S.CUSTOMER_ID] == customer,
                                                     S.PRODUCT_ID])
    summary = rating_summary(small_dataset.reviews).set_index(S.PRODUCT_ID)
    for pid, label in zip(recs[S.PRODUCT_ID], recs[RATING_LABEL], strict=True):
        if pid in summary.index:
            row = summary.loc[pid]
            assert label == f"{row['mean_rating']:.1f} ★ ({int(row['reviews']):,})"
        else:
            assert label == ""
