"""Cached steps of the analysis: the only package that uses ``st.cache_data`` / ``st.cache_resource``.

One module per topic, as a page meets them: :mod:`~ui.cache.data` (loading, generating,
categories, countries), :mod:`~ui.cache.segments` (features, k sweep, segments),
:mod:`~ui.cache.insights` (overview, filtered lines, trends, customer look-up),
:mod:`~ui.cache.baskets` (basket matrix, rules, look-ups), :mod:`~ui.cache.recommend`
(the fitted hybrid, exports, evaluation), :mod:`~ui.cache.value` (customer value, the
holdout check, audiences, segment movement, cohorts), :mod:`~ui.cache.reviews` (ratings,
sentiment and themes of reviews); the keys they share are in :mod:`~ui.cache.keys`.

Each wrapper is keyed by small scalars or a frozen record of them (the data set's
fingerprint plus the step's parameters); large inputs are passed as ``_``-prefixed
arguments, which Streamlit does not hash, beside the fingerprint that identifies them.
``st.cache_data`` returns a copy per caller; ``st.cache_resource`` returns one shared
object that callers must never mutate.
"""

from ui.cache import baskets, data, insights, keys, recommend, reviews, segments, value

__all__ = ["baskets", "data", "insights", "keys", "recommend", "reviews", "segments", "value"]
