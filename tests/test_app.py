"""AppTest of the router (app.py): default page, sidebar, deep links, uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.synth.shop import generate_shop, write_shop
from ui import source, state
from ui.format import plain_text

APP = str(Path(__file__).resolve().parents[1] / "app.py")

GOOD_CSV = b"""invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price,country
100,2011-01-05 10:00,17850,A1,WHITE MUG,2,3.50,United Kingdom
100,2011-01-05 10:00,17850,B2,RED PLATE,1,5.00,United Kingdom
101,2011-02-07 11:30,13047,A1,WHITE MUG,4,3.50,France
102,2011-03-09 15:00,12583,C3,BLUE BOWL,1,10.00,Germany
"""
BAD_CSV = b"colour,size\nred,3\n"


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    """A small generated shop written as canonical CSVs (the app's start-up data here)."""
    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=120, seed=5), folder)
    return folder


@pytest.fixture
def app(shop_dir, monkeypatch):
    """The app, not yet run, starting on the small shop via ``RECSYS_DATA``."""
    monkeypatch.setenv(source.DATA_ENV, str(shop_dir))
    return AppTest.from_file(APP, default_timeout=60)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_app_default_page_shows_kpis(app):
    app.run()
    assert not app.exception
    values = metrics(app)
    assert values["Customers"] == "120"
    assert values["Revenue (net)"].startswith("£")
    assert values["Average order value"].startswith("£")
    assert " – " in values["Date range"]
    assert int(values["Invoices"].replace(",", "")) > 120


def test_app_sidebar_has_source_report_and_k(app):
    app.run()
    assert app.sidebar.radio(key=source.SOURCE_KEY).value == source.SOURCE_STARTUP
    assert "lines kept" in app.sidebar.caption[0].value
    caption = app.sidebar.caption[0].value
    assert "120 customers with purchases + 5 registered without a purchase" in caption
    slider = app.sidebar.slider(key=state.K_KEY)
    assert (slider.min, slider.max, slider.value) == (state.K_MIN, state.K_MAX, state.K_DEFAULT)
    assert app.query_params["k"] == str(state.K_DEFAULT)


@pytest.mark.parametrize(("given", "expected"), [("4", 4), ("99", 12), ("1", 2), ("abc", 5)])
def test_app_deep_link_k(app, given, expected):
    app.query_params["k"] = given
    app.run()
    assert not app.exception
    assert app.session_state[state.K_KEY] == expected
    assert app.sidebar.slider(key=state.K_KEY).value == expected
    assert app.query_params["k"] == str(expected)


def test_app_deep_link_k_out_of_range_says_so(app):
    app.query_params["k"] = "99"
    app.run()
    assert not app.exception
    toasts = [t.value for t in app.toast]
    assert f"k=99 is outside {state.K_MIN}–{state.K_MAX}; showing k={state.K_MAX}." in toasts


def test_app_deep_link_k_in_range_has_no_toast(app):
    app.query_params["k"] = "4"
    app.run()
    assert not app.exception
    assert not app.toast


def test_app_query_params_survive_page_switch(app):
    app.query_params["k"] = "7"
    app.query_params["customer"] = "17850"
    app.run()
    assert app.session_state[state.K_KEY] == 7
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert app.sidebar.slider(key=state.K_KEY).value == 7
    assert app.query_params["k"] == "7"
    assert app.query_params["customer"] == "17850"
    app.switch_page("pages/overview.py").run()
    assert app.sidebar.slider(key=state.K_KEY).value == 7
    assert (app.query_params["k"], app.query_params["customer"]) == ("7", "17850")


def test_app_moving_k_updates_url(app):
    app.run()
    app.sidebar.slider(key=state.K_KEY).set_value(9)
    app.run()
    assert app.query_params["k"] == "9"


def _upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.session_state[source.SOURCE_KEY] = source.SOURCE_UPLOAD
    app.run()
    app.sidebar.file_uploader(key=source.UPLOAD_KEY).upload(name, data, "text/csv")
    return app.run()


def test_app_good_upload_becomes_the_data_set(app):
    _upload(app, "shop.csv", GOOD_CSV)
    assert not app.exception
    choice = app.session_state["_data_choice"]
    assert (choice.kind, choice.name) == (source.SOURCE_UPLOAD, "shop.csv")
    assert metrics(app)["Customers"] == "3"
    assert metrics(app)["Revenue (net)"] == "£36"  # 7 + 5 + 14 + 10


def test_app_bad_upload_shows_error_and_keeps_data(app):
    app.run()
    before = metrics(app)
    _upload(app, "bad.csv", BAD_CSV)
    assert not app.exception
    errors = [e.value for e in app.main.error]
    assert len(errors) == 1
    # In the main area: the sidebar only points to it, and its k slider stays in view.
    assert not app.sidebar.error
    assert [w.value for w in app.sidebar.warning] == ["That file could not be read: the message is at the top of the page."]
    assert plain_text("bad.csv") in errors[0]
    assert "colour, size" in errors[0]  # names what is wrong
    assert "Still showing" in errors[0]
    assert metrics(app) == before
    assert app.session_state["_data_choice"].kind == source.SOURCE_STARTUP


def test_app_upload_with_every_line_removed_names_the_rule(app):
    # Headers are right; one price and one date cannot be read, so cleaning removes both lines.
    data = (
        b"invoice_id,invoice_date,customer_id,product_id,quantity,unit_price\n"
        b"1,2011-01-05 10:00,17850,A1,2,abc\n"
        b"2,notadate,17850,A1,2,3.5\n"
    )
    _upload(app, "values.csv", data)
    assert not app.exception
    message = app.main.error[0].value.replace("\\", "")  # Markdown escapes
    assert "removed all 2 lines" in message
    assert "lines whose date, quantity or price could not be read: 2" in message
    assert "accepted layouts" not in message
    assert "Check the file's dates, quantities and prices" in message


def test_app_applies_a_page_request_to_the_sidebar(app):
    app.session_state["_data_pending"] = source.DataChoice(source.SOURCE_GENERATED, n_customers=70, seed=1)
    app.run()
    assert not app.exception
    assert app.sidebar.radio(key=source.SOURCE_KEY).value == source.SOURCE_GENERATED
    assert app.sidebar.number_input(key=source.GEN_CUSTOMERS_KEY).value == 70
    assert metrics(app)["Customers"] == "70"


def test_app_generated_source(app):
    app.session_state[source.SOURCE_KEY] = source.SOURCE_GENERATED
    app.session_state[source.GEN_CUSTOMERS_KEY] = 80
    app.session_state[source.GEN_SEED_KEY] = 2
    app.run()
    assert not app.exception
    assert metrics(app)["Customers"] == "80"
    assert "80 customers" in app.session_state["_data_choice"].label


def test_app_upload_error_shows_column_names_as_typed(app):
    _upload(app, "evil.csv", b"**bold**,<b>x</b>,[link](javascript:alert(1))\n1,2,3\n")
    assert not app.exception
    message = app.main.error[0].value
    assert r"\*\*bold\*\*" in message
    assert r"\<b\>x\</b\>" in message
    assert r"\[link\](javascript\:alert(1))" in message


EVIL = "[click](http://x) <b>bold</b> *x*"


@pytest.fixture(scope="module")
def evil_shop_dir(tmp_path_factory):
    """A shop whose best-selling product and top country are named with Markdown and HTML."""
    shop = generate_shop(n_customers=80, seed=7)
    tx = shop.transactions
    revenue = (tx[S.QUANTITY] * tx[S.UNIT_PRICE]).groupby(tx[S.PRODUCT_ID]).sum()
    top = revenue.idxmax()
    tx.loc[tx[S.PRODUCT_ID] == top, S.DESCRIPTION] = EVIL
    tx[S.COUNTRY] = EVIL
    shop.products.loc[shop.products[S.PRODUCT_ID] == top, S.DESCRIPTION] = EVIL
    shop.customers[S.COUNTRY] = EVIL
    folder = tmp_path_factory.mktemp("evil")
    write_shop(shop, folder)
    return folder


def test_app_data_text_shows_as_typed(evil_shop_dir, monkeypatch):
    monkeypatch.setenv(source.DATA_ENV, str(evil_shop_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert f"{plain_text(EVIL)} brings 100.0% of revenue." in captions
    assert not any(EVIL in c for c in captions)
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    season = next(c.value for c in at.caption if c.value.startswith(r"\[click\]"))
    assert season.startswith(plain_text(EVIL) + " (")  # "description (product id): …"
    assert r"\<b\>bold\</b\> \*x\*" in season


def test_app_bug_shows_an_apology_with_a_reference_and_logs_the_traceback(app, monkeypatch, caplog):
    import re

    import recsys.segments.rfm

    def broken(*args, **kwargs):
        raise RuntimeError("index 7 is out of bounds")

    monkeypatch.setattr(recsys.segments.rfm, "rfm_grid", broken)
    app.run()
    with caplog.at_level("ERROR", logger="shop_insights"):
        app.switch_page("pages/segments.py").run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("Sorry, something went wrong on our side")
    [reference] = re.findall(r"\*\*([0-9a-f]{8})\*\*", error.value)
    shown = " ".join(e.value for e in (*app.error, *app.warning, *app.info, *app.markdown))
    assert "index 7" not in shown and "check your data" not in shown.lower()
    assert "could not be formed" not in shown and "could not be loaded" not in shown
    [record] = [r for r in caplog.records if r.name == "shop_insights"]
    assert reference in record.getMessage() and "Segments" in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    # the page up to the failure, and the sidebar, are kept
    assert any(h.value == "How many segments?" for h in app.subheader)
    assert app.sidebar.slider(key=state.K_KEY).value == state.K_DEFAULT


def test_app_data_error_shows_its_message_not_an_apology(app, monkeypatch):
    import recsys.segments.rfm
    from recsys.errors import DataError

    def refuse(*args, **kwargs):
        raise DataError("no customer has an order date: export the file again with dates")

    monkeypatch.setattr(recsys.segments.rfm, "rfm_grid", refuse)
    app.run()
    app.switch_page("pages/segments.py").run()
    assert not app.exception
    [error] = app.error
    assert error.value == plain_text("no customer has an order date: export the file again with dates")
    assert "Sorry" not in error.value


def test_app_sidebar_says_when_the_date_order_was_chosen(tmp_path, monkeypatch):
    lines = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
    lines += [f"53636{d},85123A,HEART,6,0{d}/12/2010 08:00,2.55,1785{d},United Kingdom"
              for d in range(1, 10)]  # fmt: skip
    path = tmp_path / "uk.csv"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv(source.DATA_ENV, str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert "1 Dec 2010 – 9 Dec 2010" in captions[0]
    assert captions[1] == (":material/event: Dates read day first: nothing in the file proves it. "
                           "Check on the Data page, Cleaning report.")
