"""Figures of the value pages: segment names shown whole (wrapped, not cut), escaped."""

from __future__ import annotations

import pandas as pd

from recsys.segments.movement import CUSTOMERS, FROM_NAME, FROM_SEGMENT, TO_NAME, TO_SEGMENT
from ui.figures.value import sankey_chart, wrapped_label


def test_wrapped_label_breaks_at_spaces_and_keeps_every_word():
    name = "Frequent low spenders with small orders"
    label = wrapped_label(name, width=24)
    assert label == "Frequent low spenders<br>with small orders"
    assert label.replace("<br>", " ") == name


def test_wrapped_label_escapes_cuts_only_beyond_the_lines_and_blanks_missing():
    assert wrapped_label("<b>Champions</b> & co") == "&lt;b&gt;Champions&lt;/b&gt; &amp; co"
    assert wrapped_label("one two three four five six", width=5, lines=2) == "one<br>two …"
    assert wrapped_label(None) == "" and wrapped_label(float("nan")) == ""


def test_sankey_labels_carry_whole_segment_names():
    long = "Lapsed one-order low spenders with a narrow range"
    flows = pd.DataFrame({
        FROM_SEGMENT: [1, 0], FROM_NAME: ["Champions", "Not yet a customer"],
        TO_SEGMENT: [2, 2], TO_NAME: [long, long], CUSTOMERS: [5, 3],
    })
    labels = sankey_chart(flows, before="1 Jan", after="1 Feb").data[0].node.label
    assert [label.replace("<br>", " ") for label in labels] == ["Champions", "Not yet a customer", long]
