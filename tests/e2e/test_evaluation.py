"""Browser test of the Evaluation page on the bundled sample: what a marketer reads there
(the cut, the headline figures, the table, the chart) is what the library computes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import open_app, wait_for_app

pytestmark = pytest.mark.e2e

TEST_DAYS, K = 30, 10  # the page's defaults
MODEL_NAMES = {"hybrid": "Hybrid", "ease": "EASE", "popularity": "Popularity",
               "als": "ALS (implicit)", "itemknn": "Item-kNN"}
SLICE_ORDER = ["with history", "no history", "1–2 invoices", "3–9 invoices", "10+ invoices"]
METRICS = ["ndcg", "top_share", "gini", "precision", "recall", "hit_rate", "map", "coverage",
           "novelty"]  # the table's column order

# The data of the chart whose y axis reads `title` (plotly keeps it on the element), once
# it is drawn and not a stale one of an earlier run; one trace per model.
CHART_DATA = """title => {
    const charts = Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot'))
        .filter(el => el.closest('[data-stale="true"]') === null && el.layout
                      && el.layout.yaxis.title.text === title);
    return charts.length === 1 && charts[0].data.map(t => ({
        name: t.name, x: Array.from(t.x), y: Array.from(t.y), text: Array.from(t.text),
    }));
}"""


@pytest.fixture(scope="module")
def evaluation():
    """``(table, split)``: the comparison and the time split of the sample, computed here."""
    from recsys.data.load import load_dataset
    from recsys.evaluation.compare import default_models, evaluate_models
    from recsys.evaluation.split import time_split
    from tests.conftest import SAMPLE_DIR

    dataset = load_dataset(SAMPLE_DIR)
    table = evaluate_models(
        dataset.customer_transactions, models=default_models(), test_days=TEST_DAYS, k=K,
        products=dataset.products, customers=dataset.customers,
    )
    return table, time_split(dataset.customer_transactions, test_days=TEST_DAYS)


def _shown_rows(page, n_rows: int) -> list[list[str]]:
    """The cells of the table as the grid's accessible table holds them (the canvas does not)."""
    # the first table on the page is the comparison (the settings and buy again follow)
    rows = page.locator('[data-testid="stDataFrame"]').first.locator('table[role="grid"] tbody tr')
    expect(rows).to_have_count(n_rows)  # the grid draws its rows after the run
    return rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.textContent))")


def _chart(page, title: str) -> list[dict]:
    """The traces of the chart once its y axis reads ``title`` (a rerun redraws it)."""
    return page.wait_for_function(CHART_DATA, arg=title).json_value()


def test_evaluation_page_shows_what_the_library_computes(page, app_url, evaluation):
    table, split = evaluation
    open_app(page, app_url, "evaluation", timeout=180_000)
    main = page.locator('[data-testid="stMain"]')

    # The protocol, in words: the cut date and what lies on each side of it.
    expect(main).to_contain_text(f"The data is cut on {split.cut:%d %b %Y}", timeout=180_000)
    expect(main).to_contain_text(f"{len(split.train):,} lines before the cut")
    expect(main).to_contain_text(f"{len(split.test):,} lines after the cut")

    # The lead, in a marketer's words: the hybrid's hit rate of customers with history
    # against the best-sellers; NDCG stays in the table.
    history = table[table["slice"] == "with history"].set_index("model")
    expect(main.locator("h3").first).to_have_text(
        f"{history.loc['hybrid', 'hit_rate']:.0%} of customers bought at least one of their 10 suggestions "
        f"in the next 30 days (vs {history.loc['popularity', 'hit_rate']:.0%} for best-sellers).",
        timeout=180_000,
    )
    expect(main).to_contain_text(f"Counted over the {history['users'].max():,} customers")
    wait_for_app(page)

    # The table: every model in every customer group, with the library's figures.
    assert set(table["model"]) == set(MODEL_NAMES)
    expected = []
    for slice_ in [s for s in SLICE_ORDER if s in set(table["slice"])]:
        rows = table[table["slice"] == slice_].set_index("model")
        for model in ["hybrid", *[m for m in rows.index if m != "hybrid"]]:
            expected.append([slice_, MODEL_NAMES[model], rows.loc[model, "users"],
                             *rows.loc[model, METRICS]])
    shown = _shown_rows(page, len(expected))
    assert [row[:3] for row in shown] == [[s, m, str(n)] for s, m, n, *_ in expected]
    for row, want in zip(shown, expected, strict=True):
        # the grid draws only the columns in view: every rate metric at least
        shown_values = [float(v) for v in row[3:]]
        assert len(shown_values) >= 5, row
        assert shown_values == pytest.approx(want[3:3 + len(shown_values)], rel=1e-9), row[:2]

    # Groups of fewer than 20 customers are flagged as anecdotes.
    users = table.groupby("slice")["users"].max()
    small = [f"{s} ({users[s]} customer{'s' if users[s] != 1 else ''})"
             for s in SLICE_ORDER if s in users.index and users[s] < 20]
    if small:
        expect(main).to_contain_text(f"Few customers in {', '.join(small)}: treat those figures "
                                     "as anecdotes, not evidence.")

    # The chart: NDCG@10 per customer group, one bar per model, the hybrid first.
    _check_chart(_chart(page, "NDCG@10 (0–1, higher is better)"), table, "ndcg")

    # Choosing another figure for the chart redraws it with that figure's values.
    choice = main.locator('[data-testid="stButtonGroup"]').get_by_role("radio", name="Hit rate@10")
    choice.click()
    expect(choice).to_be_checked()
    traces = _chart(page, "Hit rate@10 (0–1, higher is better)")
    _check_chart(traces, table, "hit_rate")
    assert traces[0]["y"] != _chart_values(table, "hybrid", "ndcg")
    wait_for_app(page)
    assert not main.locator('[data-testid="stException"]').count()
    assert not main.get_by_text("This app has encountered an error").count()


def _chart_values(table, model: str, column: str) -> list[float]:
    rows = table[table["model"] == model].set_index("slice")
    return [float(rows.loc[s, column]) for s in SLICE_ORDER if s in rows.index]


def _check_chart(traces: list[dict], table, column: str) -> None:
    assert [t["name"] for t in traces][0] == "Hybrid"
    assert sorted(t["name"] for t in traces) == sorted(MODEL_NAMES.values())
    by_name = {v: k for k, v in MODEL_NAMES.items()}
    users = table.groupby("slice")["users"].max()
    ticks = [f"{s}<br>{users[s]:,} customer{'s' if users[s] != 1 else ''}"
             for s in SLICE_ORDER if s in users.index]
    for trace in traces:
        assert trace["x"] == ticks
        values = _chart_values(table, by_name[trace["name"]], column)
        assert trace["y"] == pytest.approx(values, rel=1e-9), trace["name"]
        assert trace["text"] == [f"{v:.3f}" for v in values]  # written on the bars
