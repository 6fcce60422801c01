"""The batch pipeline: import once into a columnar store, compute every artifact once.

``store`` keeps a cleaned :class:`recsys.Dataset` as Parquet (with the fingerprint of the
source bytes it came from); ``steps`` computes the artifact tables with the same
``recsys`` functions the dashboard and the commands call; ``artifacts`` writes them to a
staging folder with a ``manifest.json`` and swaps it into place, and reads them back only
when the fingerprint and the settings match; ``run`` is the entry point
(:func:`recsys.pipeline.run.run_pipeline`, ``python -m recsys pipeline``). The Spark
engine (``recsys.pipeline.spark``, the only importer of pyspark) computes the same
artifacts on Spark DataFrames.

Sits above :mod:`recsys.evaluation` and below the service and the command line.
"""
