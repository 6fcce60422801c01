"""What each segment looks like and buys: profiles, purchases, a 2-D projection.

Pure functions behind the Segments and Segment explorer pages. They take customer
features, segment assignments (``customer_id``, ``segment``, ``segment_name``) and
the data set, and return tables the pages only lay out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from recsys.data import schema as S
from recsys.data.cancellations import net_lines
from recsys.data.dataset import Dataset
from recsys.segments import features as F
from recsys.segments import rfm as R
from recsys.segments.claims import unmet_claims

ALL_CUSTOMERS = 0
"""``segment`` value of the all-customers row of :func:`segment_profile`."""
ANNUAL_SPEND = "annual_spend"
CUSTOMERS = "customers"
REVENUE = "revenue"
SHARE = "share"

_MEDIAN_COLUMNS: tuple[str, ...] = (
    F.RECENCY_DAYS,
    F.FREQUENCY,
    F.MONETARY,
    F.AVG_ORDER_VALUE,
    F.ITEMS_PER_ORDER,
    F.DISTINCT_PRODUCTS,
    F.TENURE_DAYS,
    F.MEAN_DAYS_BETWEEN_ORDERS,
    ANNUAL_SPEND,
)


def annual_spend(features: pd.DataFrame) -> pd.Series:
    """Return each customer's spend per year: ``monetary × 365 / max(tenure_days, 365)``.

    Tenure is floored at one year so that a customer who joined last week is not
    credited with fifty times their first order.
    """
    years = np.maximum(features[F.TENURE_DAYS].to_numpy(dtype=float), 365.0) / 365.0
    return pd.Series(features[F.MONETARY].to_numpy(dtype=float) / years, index=features.index, name=ANNUAL_SPEND)


def _with_segments(features: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    seg = assignments.set_index(assignments[S.CUSTOMER_ID].astype(str))[[S.SEGMENT, S.SEGMENT_NAME]]
    frame = features.copy()
    frame.index = frame.index.astype(str)
    frame[ANNUAL_SPEND] = annual_spend(frame)
    return frame.join(seg, how="inner")


def segment_profile(features: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Return the typical figures of each segment and of all customers.

    Parameters
    ----------
    features : DataFrame
        Customer features indexed by ``customer_id`` (:func:`recsys.segments.features.customer_features`).
    assignments : DataFrame
        ``customer_id``, ``segment`` (int), ``segment_name`` (str).

    Returns
    -------
    DataFrame
        One row per segment in number order, then an all-customers row (``segment`` =
        0, ``segment_name`` = "All customers"). Columns: ``segment``, ``segment_name``,
        ``customers``, ``customer_share``, ``revenue`` (currency), ``revenue_share``;
        medians of ``recency_days`` (days), ``frequency`` (invoices), ``monetary``
        (currency), ``avg_order_value`` (currency), ``items_per_order`` (units),
        ``distinct_products``, ``tenure_days`` (days), ``mean_days_between_orders``
        (days, over customers with two or more orders), ``annual_spend`` (currency
        per year, see :func:`annual_spend`); the mean ``cancellation_rate`` and mean
        ``category_share__*``; ``top_country`` and ``top_country_share`` where known.
    """
    frame = _with_segments(features, assignments)
    total_revenue = frame[F.MONETARY].sum()
    means = [F.CANCELLATION_RATE, *F.category_share_columns(frame)]
    # The all-customers row is one more group (segment 0) of a single vectorised groupby.
    both = pd.concat([frame, frame.assign(**{S.SEGMENT: ALL_CUSTOMERS, S.SEGMENT_NAME: "All customers"})])
    groups = both.groupby(S.SEGMENT, sort=True)
    out = pd.DataFrame({S.SEGMENT_NAME: groups[S.SEGMENT_NAME].first(), CUSTOMERS: groups.size()})
    out["customer_share"] = out[CUSTOMERS] / max(len(frame), 1)
    out[REVENUE] = groups[F.MONETARY].sum()
    out["revenue_share"] = out[REVENUE] / total_revenue if total_revenue else 0.0
    out = out.join(groups[list(_MEDIAN_COLUMNS)].median()).join(groups[means].mean())
    if S.COUNTRY in frame.columns and frame[S.COUNTRY].notna().any():
        counts = both.groupby([S.SEGMENT, S.COUNTRY], observed=True).size().rename("n").reset_index()
        top = counts.sort_values([S.SEGMENT, "n", S.COUNTRY], ascending=[True, False, True]).drop_duplicates(S.SEGMENT)
        top = top.set_index(S.SEGMENT)
        out["top_country"] = top[S.COUNTRY].astype(str)
        out["top_country_share"] = top["n"] / out[CUSTOMERS]
    out = out.reset_index()
    order = [*out.index[out[S.SEGMENT] != ALL_CUSTOMERS], *out.index[out[S.SEGMENT] == ALL_CUSTOMERS]]
    return out.loc[order].reset_index(drop=True)


@dataclass(frozen=True)
class CustomerFit:
    """How one customer compares with the name of their segment, and their RFM cell.

    Attributes
    ----------
    segment : int
        The customer's segment.
    unmet : tuple of str
        The claims of the segment's name the customer does not meet, in words (empty
        when the name is true of them).
    rfm_segment : str
        The customer's cell of the classic RFM grid (:data:`recsys.segments.rfm.RFM_SEGMENTS`).
    r, f, m : int
        The customer's RFM scores, 1..5.
    """

    segment: int
    unmet: tuple[str, ...]
    rfm_segment: str
    r: int
    f: int
    m: int

    @property
    def fits(self) -> bool:
        """Whether every claim of the segment's name holds for the customer."""
        return not self.unmet


def customer_fit(
    features: pd.DataFrame, assignments: pd.DataFrame, claims: pd.DataFrame, scores: pd.DataFrame, customer_id: str
) -> CustomerFit | None:
    """Return how ``customer_id`` fits the name of their segment, with their RFM cell.

    Parameters
    ----------
    features : DataFrame
        Customer features indexed by ``customer_id``.
    assignments : DataFrame
        ``customer_id``, ``segment``.
    claims : DataFrame
        ``Segmentation.claims``.
    scores : DataFrame
        :func:`recsys.segments.rfm.rfm_scores` of ``features``.
    customer_id : str

    Returns
    -------
    CustomerFit or None
        None when the customer has no segment or no features.
    """
    cid = str(customer_id)
    seg = assignments.loc[assignments[S.CUSTOMER_ID].astype(str) == cid, S.SEGMENT]
    index = features.index.astype(str)
    if seg.empty or cid not in set(index) or cid not in set(scores.index.astype(str)):
        return None
    row = features.iloc[int(np.flatnonzero(index == cid)[0])]
    cell = scores.iloc[int(np.flatnonzero(scores.index.astype(str) == cid)[0])]
    unmet = unmet_claims(row, claims, segment=int(seg.iloc[0]))
    return CustomerFit(int(seg.iloc[0]), tuple(unmet), str(cell[R.RFM_SEGMENT]), int(cell[R.R_QUINTILE]),
                       int(cell[R.F_QUINTILE]), int(cell[R.M_QUINTILE]))


def segment_members(features: pd.DataFrame, assignments: pd.DataFrame, *, segment: int) -> pd.DataFrame:
    """Return the customers of one segment with their figures, highest spend first.

    Returns
    -------
    DataFrame
        Columns ``customer_id``, ``segment``, ``segment_name``, every feature column and
        ``annual_spend``; sorted by ``monetary`` descending.
    """
    frame = _with_segments(features, assignments)
    part = frame[frame[S.SEGMENT] == int(segment)].sort_values(F.MONETARY, ascending=False)
    part = part.rename_axis(S.CUSTOMER_ID).reset_index()
    first = [S.CUSTOMER_ID, S.SEGMENT, S.SEGMENT_NAME]
    return part[first + [c for c in part.columns if c not in first]]


def segment_choices(assignments: pd.DataFrame) -> list[tuple[int, str]]:
    """Return ``[(segment, segment_name), ...]`` of the segments present, segment 1 first.

    Parameters
    ----------
    assignments : DataFrame
        Columns ``segment`` (int), ``segment_name`` (str).
    """
    pairs = assignments[[S.SEGMENT, S.SEGMENT_NAME]].drop_duplicates().sort_values(S.SEGMENT)
    return [(int(s), str(n)) for s, n in zip(pairs[S.SEGMENT], pairs[S.SEGMENT_NAME], strict=True)]


def segment_customer_ids(assignments: pd.DataFrame, segments: Iterable[int]) -> list[str]:
    """Return the ids (str) of the customers in any of ``segments``, in assignment order.

    Parameters
    ----------
    assignments : DataFrame
        Columns ``customer_id``, ``segment`` (int).
    segments : iterable of int
        Segment numbers.
    """
    chosen = assignments[assignments[S.SEGMENT].isin([int(s) for s in segments])]
    return chosen[S.CUSTOMER_ID].astype(str).tolist()


@dataclass(frozen=True)
class SegmentPurchases:
    """What one segment buys.

    Attributes
    ----------
    top_products : DataFrame
        ``product_id``, ``description``, ``revenue`` (currency), ``units``,
        ``customers`` (members who bought it), ``share`` (of the segment's revenue).
    top_categories : DataFrame
        ``category``, ``revenue``, ``share``; empty when the data has no categories.
    countries : DataFrame
        ``country``, ``customers``, ``share`` (of members); empty when unknown.
    monthly : DataFrame
        ``period`` (first day of the month), ``revenue``, ``orders``, ``customers``.
    """

    top_products: pd.DataFrame
    top_categories: pd.DataFrame
    countries: pd.DataFrame
    monthly: pd.DataFrame


def segment_purchases(
    dataset: Dataset,
    assignments: pd.DataFrame,
    *,
    segment: int,
    n: int = 10,
    categories: pd.DataFrame | None = None,
) -> SegmentPurchases:
    """Return the top products and categories, countries and monthly revenue of a segment.

    Parameters
    ----------
    dataset : Dataset
        The shop (its customer lines and product table are used).
    assignments : DataFrame
        ``customer_id``, ``segment``, ``segment_name``.
    segment : int
        The segment number.
    n : int, default 10
        Rows of the top-products and top-categories tables.
    categories : DataFrame, optional
        ``product_id``, ``category``: the categories the segments were formed with
        (:func:`recsys.data.categories.dataset_categories`, derived from descriptions
        where the data has none). Without it, the data's own categories, if any.

    Returns
    -------
    SegmentPurchases
        Figures net of cancellations (:func:`recsys.data.cancellations.net_lines`), as
        the customer figures are.
    """
    members = assignments.loc[assignments[S.SEGMENT] == int(segment), S.CUSTOMER_ID].astype(str)
    tx = dataset.customer_transactions
    tx = tx[tx[S.CUSTOMER_ID].astype(str).isin(set(members))]
    # Cancellations match within one customer, so the members' own lines are enough.
    cancelled = dataset.cancellations
    if len(cancelled):
        cancelled = cancelled[cancelled[S.CUSTOMER_ID].astype("string").isin(set(members)).fillna(False)]
    tx = net_lines(tx, cancelled)
    revenue = tx[S.QUANTITY] * tx[S.UNIT_PRICE]
    lines = pd.DataFrame(
        {
            S.PRODUCT_ID: tx[S.PRODUCT_ID].to_numpy(),
            S.CUSTOMER_ID: tx[S.CUSTOMER_ID].to_numpy(),
            S.INVOICE_ID: tx[S.INVOICE_ID].to_numpy(),
            S.INVOICE_DATE: tx[S.INVOICE_DATE].to_numpy(),
            S.QUANTITY: tx[S.QUANTITY].to_numpy(),
            REVENUE: revenue.to_numpy(),
        }
    )
    total = lines[REVENUE].sum()
    by_product = lines.groupby(S.PRODUCT_ID, observed=True).agg(
        revenue=(REVENUE, "sum"), units=(S.QUANTITY, "sum"), customers=(S.CUSTOMER_ID, "nunique")
    )
    by_product[SHARE] = by_product[REVENUE] / total if total else 0.0
    top = by_product.nlargest(n, REVENUE).reset_index()
    products = dataset.products.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)
    top.insert(1, S.DESCRIPTION, top[S.PRODUCT_ID].map(products[S.DESCRIPTION]) if S.DESCRIPTION in products else "")

    if categories is None and dataset.has_categories and S.CATEGORY in products:
        categories = products[S.CATEGORY].rename_axis(S.PRODUCT_ID).reset_index()
    top_categories = pd.DataFrame(columns=[S.CATEGORY, REVENUE, SHARE])
    if categories is not None and len(categories):
        category = categories.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)[S.CATEGORY]
        cat = by_product.join(category)
        cat[S.CATEGORY] = cat[S.CATEGORY].astype("string").fillna(S.MISSING_CATEGORY)
        top_categories = cat.groupby(S.CATEGORY)[REVENUE].sum().nlargest(n).reset_index()
        top_categories[SHARE] = top_categories[REVENUE] / total if total else 0.0

    countries = pd.DataFrame(columns=[S.COUNTRY, CUSTOMERS, SHARE])
    cust = dataset.customers
    if S.COUNTRY in cust.columns:
        member_country = cust[cust[S.CUSTOMER_ID].astype(str).isin(set(members))][S.COUNTRY]
        if member_country.notna().any():
            counts = member_country.astype("string").fillna("Unknown").value_counts()
            countries = counts.rename(CUSTOMERS).rename_axis(S.COUNTRY).reset_index()
            countries[SHARE] = countries[CUSTOMERS] / max(len(members), 1)

    month = lines[S.INVOICE_DATE].dt.to_period("M").dt.to_timestamp()
    monthly = (
        lines.assign(period=month)
        .groupby("period")
        .agg(revenue=(REVENUE, "sum"), orders=(S.INVOICE_ID, "nunique"), customers=(S.CUSTOMER_ID, "nunique"))
        .reset_index()
    )
    return SegmentPurchases(top, top_categories, countries, monthly)


def project_2d(
    prepared: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    max_points: int = 5000,
    random_state: int | None = 0,
) -> tuple[pd.DataFrame, tuple[float, float]]:
    """Return a 2-D PCA projection of customers for a scatter plot, sampled when large.

    Parameters
    ----------
    prepared : DataFrame
        Standardised features (:func:`prepare_features`), indexed by ``customer_id``.
    assignments : DataFrame
        ``customer_id``, ``segment``, ``segment_name``.
    max_points : int, default 5000
        At most this many customers are returned (a seeded sample); PCA is fitted on all.
    random_state : int or None, default 0
        Seed of the PCA solver and of the sample.

    Returns
    -------
    points : DataFrame
        Columns ``customer_id``, ``pc1``, ``pc2``, ``segment``, ``segment_name``.
    explained : tuple of float
        Share of the variance each component explains (in [0, 1]).
    """
    n_components = min(2, prepared.shape[1])
    pca = PCA(n_components=n_components, random_state=random_state)
    coords = pca.fit_transform(prepared.to_numpy())
    if n_components == 1:
        coords = np.column_stack([coords, np.zeros(len(coords))])
    points = pd.DataFrame(
        {S.CUSTOMER_ID: prepared.index.astype(str).to_numpy(), "pc1": coords[:, 0], "pc2": coords[:, 1]}
    ).merge(assignments[[S.CUSTOMER_ID, S.SEGMENT, S.SEGMENT_NAME]], on=S.CUSTOMER_ID, how="left")
    if len(points) > max_points:
        rng = np.random.default_rng(random_state)
        points = points.iloc[np.sort(rng.choice(len(points), size=max_points, replace=False))]
    ratio = list(pca.explained_variance_ratio_) + [0.0]
    return points.reset_index(drop=True), (float(ratio[0]), float(ratio[1]))
