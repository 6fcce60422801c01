"""ui.format: numbers with units, and data text that shows as typed in Markdown elements."""

from __future__ import annotations

import math

import pytest

from ui.format import money, number, percent, plain_text


def test_money_number_percent():
    assert money(1240.5) == "£1,240"
    assert money(-3.456, decimals=2) == "-£3.46"
    assert number(1234567) == "1,234,567"
    assert percent(0.321) == "32.1%"
    assert money(math.nan) == number(None) == percent(math.nan) == "–"


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
