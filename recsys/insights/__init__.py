"""What the shop sells and to whom: the overview, trends, seasonality and customer look-up.

``overview`` has the headline figures and top sellers; ``trends`` totals by period,
category and segment, and the rising and falling products; ``seasonality`` the month of
year index and year over year; ``customers`` one customer's profile, history and id
suggestions for the Customer page.

Imports :mod:`recsys.data` and the customer features of :mod:`recsys.segments`.
"""
