"""AppTest of the Trends page on a small generated shop (and the same shop without categories)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.data.cancellations import net_transactions
from recsys.data.catalogue import product_labels
from recsys.insights.seasonality import seasonality_index
from recsys.insights.trends import MONTHS, period_totals
from ui.format import money

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "trends.py")


@pytest.fixture(scope="module")
def small_dataset():
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=250, seed=5).to_dataset()


@pytest.fixture
def run_page(monkeypatch):
    from ui import state

    def run(dataset) -> AppTest:
        monkeypatch.setattr(state, "get_dataset", lambda: dataset)
        return AppTest.from_file(PAGE, default_timeout=120).run()

    return run


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_trends_page_renders_every_view(run_page, small_dataset):
    at = run_page(small_dataset)
    assert not at.exception
    assert not at.error
    tx = net_transactions(small_dataset)  # the page's figures are net of cancellations
    assert len(tx) < len(small_dataset.transactions)
    assert _metric(at, "Revenue") == money((tx[S.QUANTITY] * tx[S.UNIT_PRICE]).sum())
    assert len(at.tabs) == 7
    assert [t.label for t in at.tabs][:3] == ["Over time", "By category", "By segment"]
    # the peak-month table names months for each category
    peaks = next(df.value for df in at.dataframe if "summary" in df.value.columns)
    assert peaks["summary"].str.match(r"^(peaks in \w{3}|no clear peak)").all()


def test_trends_page_date_range_filters_everything(run_page, small_dataset):
    at = run_page(small_dataset)
    tx = net_transactions(small_dataset)
    first = small_dataset.transactions[S.INVOICE_DATE].min().date()
    end = first + dt.timedelta(days=60)
    at.date_input(key="trends_dates").set_value((first, end)).run()
    assert not at.exception
    inside = tx[tx[S.INVOICE_DATE] < pd.Timestamp(end) + pd.Timedelta(days=1)]
    assert _metric(at, "Revenue") == money((inside[S.QUANTITY] * inside[S.UNIT_PRICE]).sum())
    assert _metric(at, "Orders") == f"{inside[S.INVOICE_ID].nunique():,}"
    assert any("Year-over-year needs more than a year" in i.value for i in at.info)


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _values(data) -> np.ndarray:
    """A trace's x or y: plotly writes numeric arrays as base64 ``bdata``."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data)


def _points(figure: dict) -> dict[pd.Timestamp, float]:
    """Period -> value of every trace of a time chart, in period order."""
    points = {}
    for trace in figure["data"]:
        for x, y in zip(_values(trace["x"]), _values(trace["y"]), strict=True):
            points[pd.Timestamp(str(x))] = float(y)
    return dict(sorted(points.items()))


@pytest.fixture
def downloads(monkeypatch):
    """File name -> bytes of every download button drawn during the test."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    files: dict[str, bytes] = {}
    add = MediaFileManager.add

    def record(self, path_or_data, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", record)
    return files


def test_trends_page_weekly_and_units(run_page, small_dataset, downloads):
    at = run_page(small_dataset)
    downloads.clear()  # the first run offered the monthly totals
    at.segmented_control(key="trends_freq").set_value("W")
    at.selectbox(key="trends_measure").set_value("units").run()
    assert not at.exception and not at.error
    tx = net_transactions(small_dataset)
    expected = period_totals(tx, freq="W")
    assert _metric(at, "Units sold") == f"{tx[S.QUANTITY].sum():,}"
    over_time = _figures(at)[0]
    assert over_time["layout"]["xaxis"]["title"]["text"] == "Week (starting Monday)"
    assert over_time["layout"]["yaxis"]["title"]["text"] == "Units sold"
    points = _points(over_time)  # full weeks on the line, a partial one on its own trace
    weeks = pd.DatetimeIndex(list(points))
    assert list(weeks) == list(expected["period"])
    assert (weeks.dayofweek == 0).all()
    assert list(points.values()) == expected["units"].tolist()
    assert at.get("download_button")[0].proto.label == "Download totals (CSV)"
    assert set(downloads) == {"totals_by_week.csv"}
    table = pd.read_csv(io.BytesIO(downloads["totals_by_week.csv"]), encoding="utf-8-sig")
    assert table["period"].tolist() == expected["period"].dt.strftime("%Y-%m-%d").tolist()
    assert table["units"].tolist() == expected["units"].tolist()


def test_trends_page_derives_categories_when_missing(run_page, small_dataset):
    products = small_dataset.products.assign(**{S.CATEGORY: pd.NA})
    bare = dataclasses.replace(small_dataset, products=products)
    at = run_page(bare)
    assert not at.exception
    assert any("derived from the product descriptions" in c.value for c in at.caption)


def test_trends_page_any_products_season(run_page, small_dataset):
    at = run_page(small_dataset)
    pick = at.selectbox(key="trends_season_product")
    assert pick.options
    pick.set_value(pick.options[-1]).run()
    assert not at.exception
    # captions escape Markdown with backslashes; the reader sees the text without them
    assert any(c.value.replace("\\", "").startswith(pick.options[-1]) for c in at.caption)
    # the bar chart shows the picked product's seasonality index, month by month
    tx = small_dataset.transactions
    labels = product_labels(tx[S.PRODUCT_ID], small_dataset.products)
    season = seasonality_index(tx, keys=labels)
    expected = (
        season[season["key"] == pick.options[-1]].set_index("month")["index"].reindex(range(1, 13))
    )
    bars = [f for f in _figures(at)
            if f["data"][0]["type"] == "bar" and f["data"][0].get("x") == list(MONTHS)]
    assert len(bars) == 1
    np.testing.assert_allclose(_values(bars[0]["data"][0]["y"]), expected.to_numpy(dtype=float))


APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    from recsys.synth.shop import generate_shop, write_shop

    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=120, seed=5), folder)
    return folder


def test_trends_page_second_visit_keeps_its_date_range(shop_dir, monkeypatch):
    from ui import source

    monkeypatch.setenv(source.DATA_ENV, str(shop_dir))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    picker = at.date_input(key="trends_dates")
    first, last = picker.value
    chosen = (first + dt.timedelta(days=30), last - dt.timedelta(days=30))
    picker.set_value(chosen).run()
    revenue = _metric(at, "Revenue")
    # Overview -> Trends -> Overview -> Trends used to crash: the unmounted widget came
    # back holding a single date.
    for _ in range(2):
        at.switch_page("pages/overview.py").run()
        assert not at.exception
        at.switch_page("pages/trends.py").run()
        assert not at.exception
        assert not at.error
        assert at.date_input(key="trends_dates").value == chosen
        assert _metric(at, "Revenue") == revenue


@pytest.mark.parametrize(
    "stored",
    [dt.date(2011, 5, 1), (dt.date(2011, 5, 1),), (dt.date(1999, 1, 1), dt.date(2011, 5, 1)),
     (dt.date(2011, 6, 1), dt.date(2011, 5, 1)), "junk", None],
)
def test_trends_page_bad_stored_range_falls_back_to_the_full_range(run_page, small_dataset,
                                                                  monkeypatch, stored):
    from ui import state

    monkeypatch.setattr(state, "get_dataset", lambda: small_dataset)
    tx = small_dataset.transactions
    full = (tx[S.INVOICE_DATE].min().date(), tx[S.INVOICE_DATE].max().date())
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["_trends_dates_bounds"] = full
    at.session_state["_trends_dates_kept"] = stored
    at.run()
    assert not at.exception
    assert at.date_input(key="trends_dates").value == full


@pytest.mark.parametrize(
    ("typed", "shown", "words"),
    [
        # Reaching before the data: the part that has data, and the sentence says so.
        ((dt.date(2010, 11, 1), dt.date(2011, 3, 31)), "first–2011-03-31",
         "the part of 1 Nov 2010 – 31 Mar 2011 that has data"),
        # Wholly outside the data: the whole range.
        ((dt.date(2015, 1, 1), dt.date(2015, 2, 1)), "first–last",
         "nothing falls in 1 Jan 2015 – 1 Feb 2015, so the whole range is shown"),
    ],
)
def test_trends_page_range_outside_the_data_is_fitted_with_words(run_page, small_dataset,
                                                                monkeypatch, typed, shown, words):
    from ui import state

    monkeypatch.setattr(state, "get_dataset", lambda: small_dataset)
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    first, last = at.date_input(key="trends_dates").value
    at.date_input(key="trends_dates").set_value(typed).run()
    assert not at.exception and not at.error
    lo, hi = shown.split("–")
    expected = (first if lo == "first" else dt.date.fromisoformat(lo),
                last if hi == "last" else dt.date.fromisoformat(hi))
    assert tuple(at.date_input(key="trends_dates").value) == expected
    note = at.info[0].value
    assert note.startswith(f"The data covers {first.day} {first:%b %Y} – {last.day} {last:%b %Y}")
    assert words in note
    assert f"{expected[0]:%d %b %Y} – {expected[1]:%d %b %Y}" in " ".join(c.value for c in at.caption)


def _dashed_ends(figure: dict) -> set[pd.Timestamp]:
    """Periods drawn as open markers (the partial ones) in a time chart."""
    ends = set()
    for trace in figure["data"]:
        symbols = trace.get("marker", {}).get("symbol")
        if trace.get("line", {}).get("dash") == "dash" and isinstance(symbols, list):
            xs = [pd.Timestamp(str(x)) for x in _values(trace["x"])]
            ends |= {x for x, s in zip(xs, symbols, strict=True) if s == "circle-open"}
    return ends


def test_trends_page_marks_a_partial_last_month(run_page, small_dataset):
    at = run_page(small_dataset)
    first = small_dataset.transactions[S.INVOICE_DATE].min().date()
    at.date_input(key="trends_dates").set_value((first, dt.date(2011, 12, 9))).run()
    assert not at.exception
    december = pd.Timestamp("2011-12-01")
    over_time, by_category = _figures(at)[:2]
    for figure in (over_time, by_category):
        assert december in _dashed_ends(figure)
        solid = [t for t in figure["data"] if t.get("line", {}).get("dash") != "dash"]
        assert all(december not in {pd.Timestamp(str(x)) for x in _values(t["x"])} for t in solid)
    assert any("Dec 2011 is a partial month (9 of 31 days in the range)" in c.value
               for c in at.caption)


def test_year_over_year_chart_shows_same_days_a_year_before():
    from recsys.insights.seasonality import year_over_year
    from ui.figures.trends import year_over_year_chart

    days = pd.date_range("2010-12-01", "2011-12-09", freq="D")
    tx = pd.DataFrame({
        S.INVOICE_ID: pd.array([f"i{k}" for k in range(len(days))], dtype="string"),
        S.INVOICE_DATE: days, S.CUSTOMER_ID: pd.array(["a"] * len(days), dtype="string"),
        S.PRODUCT_ID: pd.array(["p"] * len(days), dtype="string"),
        S.QUANTITY: 1, S.UNIT_PRICE: 1.0,
    })
    figure = json.loads(year_over_year_chart(year_over_year(tx)).to_json())
    same_days = next(t for t in figure["data"] if t["name"] == "Same days a year before")
    assert same_days["x"] == ["Dec"]
    assert _values(same_days["y"]).tolist() == [9.0]  # 1-9 Dec 2010, not the whole month
    dashed = [t for t in figure["data"] if t["name"] == "2011" and t["line"].get("dash") == "dash"]
    assert len(dashed) == 1 and dashed[0]["x"] == ["Nov", "Dec"]
    assert dashed[0]["marker"]["symbol"] == ["circle", "circle-open"]
    solid_2011 = next(t for t in figure["data"] if t["name"] == "2011" and "dash" not in t["line"])
    assert "Dec" not in solid_2011["x"]


def test_trends_page_one_week_range(run_page, small_dataset):
    at = run_page(small_dataset)
    at.date_input(key="trends_dates").set_value((dt.date(2011, 11, 1), dt.date(2011, 11, 7))).run()
    assert not at.exception and not at.error
    over_time, by_category = _figures(at)[:2]
    for figure in (over_time, by_category):
        axis = figure["layout"]["xaxis"]
        # one tick, labelled with the month, and room around it (plotly zoomed to
        # milliseconds around a single point: "23:59:59.999 Oct 31, 2011")
        assert axis["tickformat"] == "%b %Y"
        assert [pd.Timestamp(t) for t in axis["tickvals"]] == [pd.Timestamp("2011-11-01")]
        low, high = (pd.Timestamp(v) for v in axis["range"])
        assert low <= pd.Timestamp("2011-10-20") and high >= pd.Timestamp("2011-11-12")
        top = max(_values(t["y"]).max(initial=0) for t in figure["data"])
        assert figure["layout"]["yaxis"]["range"][1] > top  # the marker sits below the top
    assert any("pick Week above for more points" in c.value for c in at.caption)
    infos = [i.value for i in at.info]
    assert any("Seasonality compares the 12 months of the year, so it needs a year of data"
               in i and "7 day(s), 1 of the 12 months" in i for i in infos)
    assert not any("summary" in df.value.columns for df in at.dataframe)  # no empty grid
    assert any("Rising & falling" in i and "at least 2 weeks" in i for i in infos)


def test_trends_page_weekly_axis_and_movers_inside_the_range(run_page, small_dataset):
    at = run_page(small_dataset)
    at.date_input(key="trends_dates").set_value((dt.date(2011, 10, 3), dt.date(2011, 11, 13))).run()
    at.segmented_control(key="trends_freq").set_value("W").run()
    assert not at.exception and not at.error
    axis = _figures(at)[0]["layout"]["xaxis"]
    assert axis["tickformat"] == "%d %b %Y"
    assert len(axis["tickvals"]) == 6  # six Monday-weeks, one tick each
    slider = at.slider(key="trends_movers_weeks")
    assert (slider.min, slider.max, slider.value) == (1, 3, 3)  # 42 days: 3 + 3 weeks
    assert any(c.value.startswith("Revenue 24 Oct – 13 Nov 2011 against 03 Oct – 23 Oct 2011")
               for c in at.caption)


def test_trends_page_seasonality_table_money_in_pounds(run_page, small_dataset):
    at = run_page(small_dataset)
    peaks = next(df for df in at.dataframe if "summary" in df.value.columns)
    config = json.loads(peaks.proto.columns)["revenue"]
    assert config["label"] == "Revenue"
    assert config["type_config"]["format"] == "£%,.0f"  # "£62,073", not "62,073.1"


def test_seasonality_heatmap_scale_is_centred_on_the_average_and_never_negative():
    from ui.figures.trends import seasonality_heatmap

    season = pd.DataFrame({"key": ["a"] * 12, "month": range(1, 13),
                           "index": [0.2] * 6 + [0.8] * 4 + [3.0, 3.8]})
    heatmap = json.loads(seasonality_heatmap(season).to_json())["data"][0]
    assert (heatmap["zmin"], heatmap["zmax"]) == (0.0, 2.0)  # 1 = average in the middle
    assert "zmid" not in heatmap
    assert min(heatmap["colorbar"]["tickvals"]) == 0
    assert heatmap["colorbar"]["ticktext"][2] == "1× average"
