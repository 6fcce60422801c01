"""ui.format: numbers with units, and data text that shows as typed in Markdown elements."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui.format import money, money_table, number, percent, plain_text, round_money


def test_money_number_percent():
    assert money(1240.5) == "£1,241"
    assert money(-3.456, decimals=2) == "-£3.46"
    assert number(1234567) == "1,234,567"
    assert percent(0.321) == "32.1%"
    assert money(math.nan) == number(None) == percent(math.nan) == "–"


def test_money_one_rounding_rule_for_sentences_and_tables():
    # Long sums carry float noise around the half pound: both sides are the same £983,553.50.
    below, above = 983_553.4999999997, 983_553.5000000003
    assert money(below) == money(above) == "£983,554"
    assert money(136_160.5) == "£136,161" and money(136_161.5) == "£136,162"  # never to even
    assert money(-2.5) == "-£3" and money(0.49) == "£0"
    frame = pd.DataFrame({"revenue": [below, 136_160.5, 10.25], "customers": [1.5, 2.5, 3.5]})
    shown = money_table(frame, ["revenue", "absent"])
    assert shown["revenue"].tolist() == [983_554.0, 136_161.0, 10.0]
    assert shown["customers"].tolist() == [1.5, 2.5, 3.5]
    assert frame["revenue"].iloc[0] == below  # input unchanged
    # A table cell and a sentence of the same amount read the same.
    assert [money(v) for v in frame["revenue"]] == [f"£{v:,.0f}" for v in shown["revenue"]]
    assert round_money(10.255, decimals=2) == 10.26


def test_plain_text_escapes_links_html_and_emphasis():
    assert plain_text("[click](http://x) <b>bold</b> *x*") == (
        r"\[click\](http\://x) \<b\>bold\</b\> \*x\*"
    )
    assert plain_text("![img](http://x/a.png)") == r"\!\[img\](http\://x/a\.png)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WHITE MUG", "WHITE MUG"),  # ordinary text is unchanged
        ("# 1. - > |a|", r"\# 1\. \- \> \|a\|"),  # headings, lists, quotes, tables
        ("12) MUG (RED)", r"12\) MUG (RED)"),  # a list marker only at the start
        ("$x$ ~y~ `z` _w_", r"\$x\$ \~y\~ \`z\` \_w\_"),  # LaTeX, strike, code, emphasis
        ("&amp; :red[x]", r"\&amp; \:red\[x\]"),  # entities, Streamlit directives
        ("a\\b", r"a\\b"),
        ("two\nlines\r\nhere", "two lines here"),  # no block markup through line breaks
        (12, "12"),
        (None, ""),
        (math.nan, ""),
    ],
)
def test_plain_text_cases(text, expected):
    assert plain_text(text) == expected
