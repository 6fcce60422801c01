"""Reading a shop's data: the canonical tables, every accepted layout, and cleaning.

``schema`` owns the column names and dtypes; ``layouts`` the accepted file layouts;
``readers`` and ``parsing`` read CSV, Excel and Parquet into text and typed columns;
``cleaning`` applies the reported cleaning rules; ``tables`` builds the products and
customers tables; ``load`` is the entry point (:func:`recsys.data.load.load_dataset`),
returning the frozen :class:`recsys.data.dataset.Dataset`. ``categories`` derives product
categories from descriptions where the source has none; ``filters`` selects lines by date
range and country for the views that take such filters.

Imports nothing else of ``recsys`` but :mod:`recsys.errors`.
"""
