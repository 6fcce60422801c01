"""The keys of the cached steps: small frozen records of scalars, hashable by Streamlit.

A page builds one record from its widgets and passes it, with the data set as an
unhashed ``_dataset`` argument, to every cached step that depends on those settings. The
record stands for the data set through its fingerprint, so two data sets never share
an entry, and a setting is spelled out once instead of in every signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SegmentKey:
    """Which segmentation: a data set and the settings of its k-means.

    Attributes
    ----------
    fingerprint : str
        ``Dataset.fingerprint`` of the data set.
    k : int
        Number of segments.
    feature_set : str
        A key of ``recsys.segments.kmeans.FEATURE_SETS``.
    seed : int
        The k-means seed.
    """

    fingerprint: str
    k: int
    feature_set: str
    seed: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", int(self.k))
        object.__setattr__(self, "seed", int(self.seed))

    def at_k(self, k: int) -> SegmentKey:
        """Return the same segmentation with ``k`` segments."""
        return replace(self, k=int(k))


@dataclass(frozen=True)
class LineFilter:
    """Which invoice lines: a date range, some countries, the customers of some segments.

    Attributes
    ----------
    fingerprint : str
        ``Dataset.fingerprint`` of the data set.
    start, end : date or None
        First and last day (inclusive); None leaves that side open.
    countries : tuple of str
        Countries to keep; empty keeps all.
    segments : tuple of int
        Segment numbers whose customers to keep; empty keeps every line.
    segmentation : SegmentKey or None
        The segmentation ``segments`` refers to; needed when ``segments`` is not empty,
        dropped when it is.
    """

    fingerprint: str
    start: dt.date | None = None
    end: dt.date | None = None
    countries: tuple[str, ...] = ()
    segments: tuple[int, ...] = ()
    segmentation: SegmentKey | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "countries", tuple(str(c) for c in self.countries))
        object.__setattr__(self, "segments", tuple(int(s) for s in self.segments))
        if not self.segments:
            # Without a segment filter the segmentation does not matter: one entry for all.
            object.__setattr__(self, "segmentation", None)
        elif self.segmentation is None:
            raise TypeError("a segment filter needs the segmentation it refers to")


@dataclass(frozen=True)
class BasketFilter:
    """Which baskets: the invoices of the filtered lines, up to a basket size.

    Attributes
    ----------
    lines : LineFilter
        The lines whose invoices are the baskets.
    max_basket_items : int
        Invoices with more distinct products are left out (0: keep every invoice).
    """

    lines: LineFilter
    max_basket_items: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_basket_items", int(self.max_basket_items))

    @property
    def fingerprint(self) -> str:
        """The data set's fingerprint."""
        return self.lines.fingerprint
