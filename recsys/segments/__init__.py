"""Customer segments: features, the k sweep, k-means, names, profiles and exports.

``features`` computes one row of figures per customer (recency, frequency, spend,
behaviour, category shares) and ``kmeans`` prepares them and fits the segments; ``ksweep``
holds the evidence for k (inertia, silhouette, the suggested k); ``naming`` names segments
by what holds for their members; ``profile`` describes them; ``rfm`` is the classic RFM
quintile grid; ``export`` writes one campaign row per customer.

Imports :mod:`recsys.data`.
"""
