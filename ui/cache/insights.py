"""Cached insights: the shop at a glance, filtered lines, trends and seasonality, customer look-up.

Filters are a :class:`~ui.cache.keys.LineFilter` (small scalars and tuples), so every step
is keyed by the data fingerprint plus them. The filtered lines, the built figures and the
customer index are shared resources (read-only); tables are data, copied per caller.
"""

from __future__ import annotations

import streamlit as st

from ui.cache.data import product_category_table
from ui.cache.kept import kept
from ui.cache.keys import LineFilter, SegmentKey
from ui.cache.segments import segment_assignments, segment_customers

# ---- The shop at a glance --------------------------------------------------------------


@st.cache_resource(show_spinner="Matching cancellations to the purchases they cancel…", max_entries=4)
@kept
def annotated_lines(fingerprint: str, _dataset):
    """Return the data set's clean lines with ``cancelled_quantity`` (shared, read-only).

    See :func:`recsys.insights.overview.annotated_lines`: the input of every net figure.
    """
    from recsys.insights.overview import annotated_lines as annotate

    return annotate(_dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
@kept
def net_lines(fingerprint: str, _dataset):
    """Return the data set's clean lines net of cancellations (shared, read-only).

    Quantities less the cancelled units; lines cancelled in full left out
    (:func:`recsys.data.cancellations.net_lines`). Trends, baskets and the Overview's
    revenue over time read these.
    """
    from recsys.data.cancellations import net_lines as net

    return net(annotated_lines(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def shop_overview(fingerprint: str, _dataset, *, n: int = 10):
    """Return ``(kpis, top_products, top_countries)`` of the data set, net of cancellations
    (see recsys.insights.overview)."""
    from recsys.insights import overview

    lines = annotated_lines(fingerprint, _dataset)
    return (
        overview.shop_kpis(_dataset),
        overview.top_products(lines, _dataset.products, n=n),
        overview.top_countries(lines, n=n),
    )


@st.cache_data(show_spinner=False, max_entries=4)
@kept
def country_figures(fingerprint: str, _dataset):
    """Return :func:`recsys.insights.geography.country_figures` of the net lines."""
    from recsys.insights.geography import country_figures as figures

    return figures(annotated_lines(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=4)
@kept
def revenue_split(fingerprint: str, _dataset):
    """Return :func:`recsys.insights.overview.revenue_split` of the data set's net lines."""
    from recsys.insights.overview import revenue_split as split

    return split(annotated_lines(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def revenue_by_period(fingerprint: str, freq: str, _dataset):
    """Return :func:`recsys.insights.trends.period_totals` of the data set's net lines."""
    from recsys.insights.trends import period_totals

    return period_totals(net_lines(fingerprint, _dataset), freq=freq)


# ---- Filtered lines and figures (Trends, Baskets) --------------------------------------


@st.cache_resource(show_spinner=False, max_entries=6)
def insight_lines(lines: LineFilter, _dataset):
    """Return the data set's net lines within the date range, countries and segments (shared).

    Net of cancellations (:func:`net_lines`), so that an order cancelled in full is
    neither a seasonal product nor a basket. An empty ``countries`` / ``segments`` keeps
    all. Callers must not modify the frame.
    """
    from recsys.data.filters import filter_lines

    customers = segment_customers(lines.segmentation, lines.segments, _dataset)
    return filter_lines(
        net_lines(lines.fingerprint, _dataset), start=lines.start, end=lines.end,
        countries=list(lines.countries) or None, customer_ids=customers,
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def insight_figure(key: tuple, _build):
    """Return the figure ``_build()`` makes, built once per ``key`` (shared: never modify it).

    ``key`` names the chart and every input it depends on (filters, settings), as small
    scalars and key records; building plotly figures is most of a re-render.
    """
    return _build()


# ---- Trends ----------------------------------------------------------------------------


@st.cache_data(show_spinner="Adding up sales…", max_entries=16)
@kept
def trend_tables(lines: LineFilter, freq: str, _dataset):
    """Return the Trends page's tables for the filtered lines and a period length.

    Returns
    -------
    dict
        ``totals`` (:func:`recsys.insights.trends.period_totals`), ``by_category``
        (:func:`recsys.insights.trends.category_totals`), ``weekday_hour``, ``year_over_year``,
        ``season`` (category seasonality index), ``peaks`` (:func:`recsys.insights.seasonality.peak_months`),
        ``derived`` (bool: categories derived from descriptions).
    """
    from recsys.data.categories import line_categories
    from recsys.insights import seasonality, trends

    tx = insight_lines(lines, _dataset)
    categories = product_category_table(lines.fingerprint, _dataset)
    season = seasonality.seasonality_index(tx, keys=line_categories(tx, categories))
    return {
        "totals": trends.period_totals(tx, freq=freq),
        "by_category": trends.category_totals(tx, categories, freq=freq),
        "weekday_hour": trends.weekday_hour(tx),
        "year_over_year": seasonality.year_over_year(tx),
        "season": season,
        "peaks": seasonality.peak_months(season),
        "derived": bool(categories["derived"].any()),
    }


@st.cache_data(show_spinner="Finding seasonal products…", max_entries=8)
@kept
def product_seasonality(lines: LineFilter, min_revenue: float, _dataset):
    """Return ``(season, peaks)`` per product (:func:`recsys.insights.seasonality.seasonality_index`),
    ``key`` being the product's description and id."""
    from recsys.data import schema as S
    from recsys.data.catalogue import product_labels
    from recsys.insights import seasonality

    tx = insight_lines(lines, _dataset)
    labels = product_labels(tx[S.PRODUCT_ID], _dataset.products)
    season = seasonality.seasonality_index(tx, keys=labels, min_revenue=min_revenue)
    return season, seasonality.peak_months(season)


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def trend_movers(lines: LineFilter, by: str, weeks: int, _dataset):
    """Return :func:`recsys.insights.movers.movers_by` of the filtered lines: products
    (``by="product"``) or categories, the recent window ending with ``lines.end``."""
    from recsys.insights.movers import BY_CATEGORY, movers_by

    tx = insight_lines(lines, _dataset)
    categories = product_category_table(lines.fingerprint, _dataset) if by == BY_CATEGORY else None
    return movers_by(tx, by=by, products=_dataset.products, categories=categories,
                     weeks=int(weeks), end=lines.end)


@st.cache_data(show_spinner="Adding up sales per segment…", max_entries=16)
@kept
def segment_trend_table(lines: LineFilter, freq: str, segmentation: SegmentKey, _dataset):
    """Return :func:`recsys.insights.trends.segment_totals` of the filtered lines by segment."""
    from recsys.insights import trends

    tx = insight_lines(lines, _dataset)
    return trends.segment_totals(tx, segment_assignments(segmentation, _dataset), freq=freq)


# ---- One customer ----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=4)
@kept
def known_customers(fingerprint: str, _dataset) -> list[str]:
    """Return every customer id of the data set, sorted (see ``recsys.insights.customer_ids``)."""
    from recsys.insights.customer_ids import known_customer_ids

    return known_customer_ids(_dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
def customer_id_index(fingerprint: str, _dataset):
    """Return ``recsys.insights.customer_ids.customer_id_index`` of the known ids (shared, read-only)."""
    from recsys.insights.customer_ids import customer_id_index as build

    return build(known_customers(fingerprint, _dataset))


@st.cache_resource(show_spinner=False, max_entries=4)
def customer_lookup(fingerprint: str, _dataset):
    """Return ``recsys.insights.customers.customer_lines`` of the data set (shared, read-only).

    One sort of the customer lines per data set, so looking up a customer is a binary
    search instead of a scan of every line.
    """
    from recsys.insights.customers import customer_lines

    return customer_lines(_dataset)
