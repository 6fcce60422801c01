"""Session-state keys and the state every page shares: the data set, k, the customer.

The data source itself (which file, upload or generated shop; working copies) is
:mod:`ui.source`; this module reads it as a loaded data set (:func:`get_dataset`), guards
a page against a data set it cannot use (:func:`page_dataset`), and holds the settings
shared across pages (k, feature set, seed: :func:`segment_key`) and the chosen customer,
synced with the URL.
"""

from __future__ import annotations

import streamlit as st

from recsys.data.dataset import Dataset
from recsys.errors import RecsysError
from ui import source
from ui.cache.keys import SegmentKey
from ui.format import plain_text

# ---- The data set ----------------------------------------------------------------------


def ensure_router() -> None:
    """Rerun through app.py when Streamlit ran a page script on its own.

    ``pages/`` is also the name of Streamlit's legacy pages directory: until app.py has
    called ``st.navigation`` once in the server process, a deep link such as ``/data``
    runs ``pages/data.py`` alone, without the sidebar or the shared state. Switching the
    legacy mode off and rerunning routes the same URL through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_dataset() -> Dataset:
    """Return the data set the sidebar selected, loaded and cleaned (cached)."""
    ensure_router()
    return source.load_choice(source.get_data_choice())


MIN_SEGMENT_BUYERS = 4
"""Fewest customers with purchases that the segment pages can work with."""


def page_dataset(*, require_lines: bool = False, min_buyers: int = 0) -> Dataset:
    """Return :func:`get_dataset` for a page, or stop the page with a message saying what to do.

    A data set that cannot be loaded shows ``st.error``; with ``require_lines``, one
    without a single clean invoice line shows a warning pointing to the cleaning report;
    with ``min_buyers``, one with fewer customers with purchases (registered customers
    without one cannot be segmented) shows a warning.
    """
    try:
        dataset = get_dataset()
    except RecsysError as exc:
        st.error(
            f"The data set could not be loaded: {plain_text(str(exc).rstrip('.'))}. "
            "Pick another data source in the sidebar."
        )
        st.stop()
    if require_lines and dataset.transactions.empty:
        st.warning("This data set has no clean invoice lines. See the Data page for the cleaning report.")
        st.stop()
    if dataset.n_buyers < min_buyers:
        st.warning(
            f"Segmentation needs at least {min_buyers} customers with purchases; this data set has "
            f"{dataset.n_buyers}. Load a larger data set or generate one on the Data page."
        )
        st.stop()
    return dataset


# ---- Segmentation settings (k, feature set) -----------------------------------------
# k lives under K_KEY (the sidebar slider in app.py owns the widget and syncs it with ?k=).
# The feature set and seed are plain session keys that the Segments page's widgets write, so
# they survive visits to other pages.

K_KEY = "k"
K_MIN, K_MAX, K_DEFAULT = 2, 12, 5
FEATURE_SET_KEY = "feature_set"
"""Session key of the chosen feature set (a key of ``recsys.segments.kmeans.FEATURE_SETS``)."""
FEATURE_SET_DEFAULT = "rfm_behaviour"
SEGMENT_SEED_KEY = "segment_seed"
"""Session key of the k-means seed."""
SEGMENT_SEED_DEFAULT = 0
EXPLORER_SEGMENT_KEY = "explorer_segment"
"""Session key of the segment the Segment explorer shows (a segment number)."""


def get_k() -> int:
    """Return the chosen number of segments, clamped to K_MIN..K_MAX (default K_DEFAULT)."""
    value = st.session_state.get(K_KEY, K_DEFAULT)
    try:
        k = int(value)
    except (TypeError, ValueError):
        k = K_DEFAULT
    return min(max(k, K_MIN), K_MAX)


def get_feature_set() -> str:
    """Return the chosen feature set: ``"rfm"`` or ``"rfm_behaviour"`` (the default)."""
    value = st.session_state.get(FEATURE_SET_KEY, FEATURE_SET_DEFAULT)
    return value if value in ("rfm", "rfm_behaviour") else FEATURE_SET_DEFAULT


def get_segment_seed() -> int:
    """Return the k-means seed (the same seed gives the same segments)."""
    try:
        return int(st.session_state.get(SEGMENT_SEED_KEY, SEGMENT_SEED_DEFAULT))
    except (TypeError, ValueError):
        return SEGMENT_SEED_DEFAULT


def segment_key(dataset: Dataset, *, k: int | None = None) -> SegmentKey:
    """Return the cache key of the chosen segmentation of ``dataset``.

    ``k`` (default: :func:`get_k`) lets a page ask for fewer segments than the slider
    when the data set has too few customers for it.
    """
    return SegmentKey(
        dataset.fingerprint, get_k() if k is None else int(k), get_feature_set(), get_segment_seed()
    )


# ---- Customer lookup -----------------------------------------------------------------
# The chosen customer lives under CUSTOMER_KEY, a plain session key (not a widget key),
# so it survives visits to other pages; the Customer page's widgets are filled from it
# and write to it in their callbacks. ?customer=… in the URL is adopted when a link is
# opened (or changed), and mirrored back while the page shows a customer.

CUSTOMER_KEY = "customer"
"""Session-state key and URL query parameter of the customer shown on the Customer page."""

CUSTOMER_INPUT_KEY = "customer_input"
"""Widget key of the Customer page's id text box."""

CUSTOMER_PICK_KEY = "customer_pick"
"""Widget key of the Customer page's searchable list of known ids."""

_CUSTOMER_URL_SEEN = "_customer_url_seen"


def sync_customer_from_url() -> str:
    """Adopt ``?customer=`` when a link brings a new value, and return the current customer.

    Call at the top of the Customer page, before its widgets are drawn. A value that was
    already adopted is not adopted again, so a customer typed afterwards wins over a
    stale URL.
    """
    from recsys.insights.customer_ids import normalise_customer_id

    url_value = normalise_customer_id(st.query_params.get(CUSTOMER_KEY, ""))
    if url_value and url_value != st.session_state.get(_CUSTOMER_URL_SEEN):
        st.session_state[CUSTOMER_KEY] = url_value
    st.session_state[_CUSTOMER_URL_SEEN] = url_value
    customer = get_customer_id()
    # Fill the widgets from the plain key; they are never given a value= of their own.
    st.session_state[CUSTOMER_INPUT_KEY] = customer
    return customer


def get_customer_id() -> str:
    """Return the chosen customer id (normalised), ``""`` when none."""
    from recsys.insights.customer_ids import normalise_customer_id

    return normalise_customer_id(st.session_state.get(CUSTOMER_KEY, ""))


def set_customer_id(customer_id: object) -> None:
    """Choose a customer (normalised) and put it in the URL; ``""`` clears both."""
    from recsys.insights.customer_ids import normalise_customer_id

    customer = normalise_customer_id(customer_id)
    st.session_state[CUSTOMER_KEY] = customer
    st.session_state[_CUSTOMER_URL_SEEN] = customer
    publish_customer_to_url(customer)


def publish_customer_to_url(customer_id: str) -> None:
    """Mirror the shown customer into ``?customer=`` so the address can be shared."""
    if customer_id:
        if st.query_params.get(CUSTOMER_KEY) != customer_id:
            st.query_params[CUSTOMER_KEY] = customer_id
    elif CUSTOMER_KEY in st.query_params:
        del st.query_params[CUSTOMER_KEY]


def on_customer_typed() -> None:
    """Widget callback of the id text box."""
    set_customer_id(st.session_state.get(CUSTOMER_INPUT_KEY, ""))


def on_customer_picked() -> None:
    """Widget callback of the searchable list."""
    picked = st.session_state.get(CUSTOMER_PICK_KEY)
    if picked:
        set_customer_id(picked)
