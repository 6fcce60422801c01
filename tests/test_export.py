"""CSV export: BOM, formula neutralising (OWASP), numbers untouched, the segment export."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import DataError
from recsys.export import to_csv_bytes
from recsys.segments.export import segment_export

HOSTILE = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
           "plain", "a=b"]


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_to_csv_bytes_starts_with_bom_and_keeps_accents():
    data = to_csv_bytes(pd.DataFrame({"name": ["Café £5"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert _read(data)["name"].tolist() == ["Café £5"]


def test_to_csv_bytes_neutralises_hostile_text():
    frame = pd.DataFrame({"text": HOSTILE, "n": range(len(HOSTILE))})
    out = _read(to_csv_bytes(frame))["text"].tolist()
    assert out[:6] == ["'" + v for v in HOSTILE[:6]]
    assert out[6:] == ["plain", "a=b"]
    for value in out:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_to_csv_bytes_keeps_numbers_and_string_dtype():
    frame = pd.DataFrame(
        {
            "money": [-2.5, 3.0],
            "count": [-1, 2],
            "sid": pd.array(["-5", "@x"], dtype="string"),
            "cat": pd.Categorical(["=A", "B"]),
        }
    )
    out = _read(to_csv_bytes(frame))
    assert out["money"].tolist() == ["-2.5", "3.0"]
    assert out["count"].tolist() == ["-1", "2"]
    assert out["sid"].tolist() == ["-5", "'@x"]  # a plain number is no formula: ids still join
    assert out["cat"].tolist() == ["'=A", "B"]


@pytest.mark.parametrize("number", ["-5", "+44", "-2.5", "+.5", "-1e3", "-0"])
def test_to_csv_bytes_keeps_text_that_is_a_plain_number(number):
    out = _read(to_csv_bytes(pd.DataFrame({"id": pd.array([number], dtype="string")})))
    assert out["id"].tolist() == [number]


def test_to_csv_bytes_neutralises_column_names_and_leaves_input_alone():
    frame = pd.DataFrame({"=evil": ["=1"]})
    before = frame.copy()
    out = _read(to_csv_bytes(frame))
    assert list(out.columns) == ["'=evil"]
    pd.testing.assert_frame_equal(frame, before)


@pytest.fixture()
def export_inputs():
    features = pd.DataFrame(
        {"recency_days": [3.0, 40.0, 10.0], "monetary": [100.123456, 5.0, 50.0], "cancellation_rate": [0.123456, 0, 0]},
        index=pd.Index(["c1", "c2", "c3"], name=S.CUSTOMER_ID),
    )
    assignments = pd.DataFrame(
        {S.CUSTOMER_ID: ["c2", "c1", "c3"], "segment": [2, 1, 1], "segment_name": ["Lost", "Champions", "Champions"]}
    )
    return features, assignments


def test_segment_export_one_row_per_customer_sorted(export_inputs):
    features, assignments = export_inputs
    out = segment_export(features, assignments)
    assert list(out.columns[:3]) == [S.CUSTOMER_ID, "segment", "segment_name"]
    assert out[S.CUSTOMER_ID].tolist() == ["c1", "c3", "c2"]
    assert out["monetary"].tolist() == [100.12, 50.0, 5.0]
    assert out["cancellation_rate"].iloc[0] == 0.1235


def test_segment_export_adds_recommendation_columns(export_inputs):
    features, assignments = export_inputs
    recs = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["c1", "c1", "c2"],
            S.PRODUCT_ID: ["p9", "p8", "p7"],
            "rank": [1, 2, 1],
            S.DESCRIPTION: ["=HYPERLINK(evil)", "MUG", "CUP"],
        }
    )
    out = segment_export(features, assignments, recommendations=recs, n_recs=3)
    row = out.set_index(S.CUSTOMER_ID)
    assert row.loc["c1", "rec_1"] == "p9 =HYPERLINK(evil)"
    assert row.loc["c1", "rec_2"] == "p8 MUG"
    assert row.loc["c1", "rec_3"] == ""
    assert row.loc["c3", "rec_1"] == ""
    assert "rec_4" not in out.columns
    text = to_csv_bytes(out).decode("utf-8-sig")
    assert "p9 =HYPERLINK(evil)" in text  # not at the start of the cell: safe as is


def test_segment_export_rejects_bad_assignments(export_inputs):
    features, assignments = export_inputs
    with pytest.raises(DataError, match="segment_name"):
        segment_export(features, assignments.drop(columns=["segment_name"]))


def test_segment_export_of_one_segment(export_inputs):
    features, assignments = export_inputs
    out = segment_export(features, assignments, segment=1)
    assert out[S.CUSTOMER_ID].tolist() == ["c1", "c3"]
    assert list(out.index) == [0, 1]
    assert segment_export(features, assignments, segment=3).empty


def test_hashed_ids_are_the_sha256_of_the_trimmed_lower_case_id():
    from recsys.export import hashed_ids

    values = pd.Series([" Alice@Example.com", "alice@example.com", None], dtype="string")
    before = values.copy()
    out = hashed_ids(values)
    digest = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"
    assert out.tolist()[:2] == [digest, digest]
    assert pd.isna(out.iloc[2])
    pd.testing.assert_series_equal(values, before)


def test_with_hashed_ids_replaces_the_column_in_place():
    from recsys.export import with_hashed_ids

    frame = pd.DataFrame({"segment": [1], "customer_id": ["alice@example.com"], "spend": [3.0]})
    out = with_hashed_ids(frame, "customer_id")
    assert list(out.columns) == ["segment", "customer_id_sha256", "spend"]
    assert out["customer_id_sha256"].iloc[0].startswith("ff8d9819")
    assert list(frame.columns) == ["segment", "customer_id", "spend"]


def test_segment_export_adds_contact_columns_where_known(export_inputs):
    features, assignments = export_inputs
    customers = pd.DataFrame({
        S.CUSTOMER_ID: ["c1", "c2", "c3", "c9"],
        "email": ["a@x.com", None, "=cmd|' /C calc'!A0", "z@x.com"],
        "phone": [None, None, None, None],  # never known: no empty column
        "age": [30, 40, 50, 60],  # not a contact field
    })
    recs = pd.DataFrame({S.CUSTOMER_ID: ["c1"], S.PRODUCT_ID: ["p9"], "rank": [1]})
    out = segment_export(features, assignments, recommendations=recs, n_recs=1, customers=customers)
    # The machine columns keep their names and places; contact comes after the figures.
    assert list(out.columns) == [S.CUSTOMER_ID, "segment", "segment_name", *features.columns, "email", "rec_1"]
    assert out.set_index(S.CUSTOMER_ID)["email"].tolist() == ["a@x.com", "=cmd|' /C calc'!A0", None]
    assert "'=cmd" in to_csv_bytes(out).decode("utf-8-sig")  # neutralised in the file
    assert list(segment_export(features, assignments, customers=customers[[S.CUSTOMER_ID, "age"]]).columns) == \
        list(segment_export(features, assignments).columns)


def test_campaign_table_reads_as_words_and_leaves_out_technical_columns(export_inputs):
    from ui.campaign import campaign_table

    features, assignments = export_inputs
    features = features.assign(frequency=[3, 1, 2], avg_order_value=[33.375, 5.0, 25.5],
                               **{"category_share__Gift · Bag": [0.5, 0.0, 0.25]})
    recs = pd.DataFrame({S.CUSTOMER_ID: ["c1"], S.PRODUCT_ID: ["p9"], "rank": [1], S.DESCRIPTION: ["MUG"]})
    export = segment_export(features, assignments, recommendations=recs, n_recs=2,
                            customers=pd.DataFrame({S.CUSTOMER_ID: ["c1"], "email": ["a@x.com"]}))
    before = export.copy()
    short = campaign_table(export)
    assert list(short.columns) == [
        "Customer ID", "Email", "Segment", "Segment name", "Last order (days ago)", "Orders",
        "Spend (£, net of cancellations)", "Average order (£)", "Recommendation 1", "Recommendation 2",
    ]
    first = short.iloc[0]
    assert (first["Customer ID"], first["Spend (£, net of cancellations)"], first["Average order (£)"]) == ("c1", 100.0, 33.0)
    assert first["Recommendation 1"] == "p9 MUG"
    full = campaign_table(export, technical=True)
    assert list(full.columns[-4:]) == ["Cancelled orders (%)", "Share of spend on Gift · Bag (%)",
                                       "Recommendation 1", "Recommendation 2"]
    assert full["Cancelled orders (%)"].tolist() == [12.4, 0.0, 0.0]  # 0.1235 of the export, in percent
    assert full["Share of spend on Gift · Bag (%)"].tolist() == [50.0, 25.0, 0.0]
    assert len(full) == len(short) == 3
    pd.testing.assert_frame_equal(export, before)


def test_campaign_table_keeps_hashed_ids_and_leaves_out_contact(export_inputs):
    from ui.campaign import campaign_table

    features, assignments = export_inputs
    customers = pd.DataFrame({S.CUSTOMER_ID: ["c1"], "email": ["a@x.com"]})
    hashed = segment_export(features, assignments, hash_ids=True)
    short = campaign_table(hashed)
    assert short.columns[0] == "Customer ID (SHA-256)" and "Customer ID" not in short.columns
    assert "Email" in campaign_table(segment_export(features, assignments, customers=customers)).columns
