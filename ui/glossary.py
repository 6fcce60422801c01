"""What the words on the pages mean: one definition per term, shown wherever the term is.

Pages and figures quote these instead of writing their own, so that "net", "segment
name" and "RFM cell" mean the same thing on every page.
"""

from __future__ import annotations

NET_RULE = (
    "Figures are net of cancellations: a cancellation subtracts from the same customer's "
    "purchases of the same product made before it, latest first, and never takes a line "
    "below zero; a purchase cancelled in full counts for nothing."
)
"""How cancellations enter every revenue, spend and order figure."""

UNMATCHED_RULE = (
    "Cancellations that match no purchase in the data (fees and postage, orders placed "
    "before the data starts, cancellations without a customer id) subtract nothing."
)
"""What happens to cancellations without a purchase to cancel."""

NAME_RULE = (
    "A segment's name says only what holds for at least 90% of its members, compared with "
    "the median customer; how many fit is shown beside it."
)
"""What a k-means segment's name promises."""

RFM_CELL_RULE = (
    "RFM cells (Champions, At risk, …) are the classic grid: each customer scored 1–5 on "
    "recency and frequency by fifths of all customers. Segment names above are another "
    "thing, found by k-means, and use other words."
)
"""How the RFM grid's names differ from segment names."""
