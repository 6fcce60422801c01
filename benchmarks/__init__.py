"""Speed, memory and quality benchmarks; ``python -m benchmarks`` runs them all.

Each ``benchmarks/bench_<topic>.py`` module has a ``main()`` that prints a table and
can be run alone as ``python -m benchmarks.bench_<topic>``. Benchmarks measure; they
never assert a wall time.
"""
