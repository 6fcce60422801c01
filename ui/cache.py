"""Cached steps of the analysis: the only module that uses ``st.cache_data`` / ``st.cache_resource``.

Each wrapper is keyed by small scalars (the data set's fingerprint plus the step's
parameters); large inputs are passed as ``_``-prefixed arguments, which Streamlit does
not hash, beside the fingerprint that identifies them. ``st.cache_data`` returns a
copy per caller; ``st.cache_resource`` returns one shared fitted object that callers
must never mutate.
"""

from __future__ import annotations

import streamlit as st  # noqa: F401

# ---- Data: loading, generating, appending ------------------------------------------

# ---- Segmentation: features, k sweep, segments -------------------------------------

# ---- Trends and baskets ------------------------------------------------------------

# ---- Recommendations and evaluation ------------------------------------------------
