"""Speed, memory and quality benchmarks; ``python -m benchmarks`` runs them all.

Each ``benchmarks/bench_<topic>.py`` module has a ``main()`` that prints a table and
can be run alone as ``python -m benchmarks.bench_<topic>``. Benchmarks measure; they
never assert a wall time.
"""

import logging
import os

# Benchmarks call the app's cached steps outside a running server; Streamlit then logs
# "no runtime" warnings on every call, which would bury the tables.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
logging.getLogger("streamlit").setLevel(logging.ERROR)
