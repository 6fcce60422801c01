"""Realistic random shops: a seeded generator and a safe append to an existing file.

``shop`` generates a whole shop (catalogue from ``catalog``, customers with planted
behaviour from ``customers``, invoices from ``invoices``) and writes it in the canonical
or UCI layout. ``append`` adds random invoices to an existing CSV that follow the file's
own behaviour (learnt by ``behaviour``), atomically and under a file lock; ``append_file``
reads and renders the file in its own format.

Imports :mod:`recsys.data` only.
"""
