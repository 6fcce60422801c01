"""Customer value: who will still buy, how much, and how customers move over time.

``summary`` turns invoice lines into purchase days and the Fader–Hardie summary of each
customer (repeat purchases, recency and age in days or weeks, average spend per repeat
purchase, net of cancellations); ``bgnbd`` is the BG/NBD model of repeat purchasing and
drop-out, ``gammagamma`` the Gamma-Gamma model of spend per purchase, both fitted by
maximum likelihood with scipy; ``clv`` puts them together into one row per customer
(probability still active, expected purchases, predicted 12-month value); ``holdout`` is the
calibration/holdout check; ``cohorts`` groups customers by month of first purchase;
``audience`` selects campaign audiences from conditions a marketer thinks in.

Imports :mod:`recsys.data` only (a sibling of segments, insights and baskets): callers
pass segment assignments in as a frame.
"""
