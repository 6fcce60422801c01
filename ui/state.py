"""Session-state keys and the state every page shares (data set, k), synced with the URL."""

from __future__ import annotations

import streamlit as st  # noqa: F401

# ---- Data set ------------------------------------------------------------------------

# ---- Segmentation settings (k, feature set) -----------------------------------------

# ---- Customer lookup -----------------------------------------------------------------
