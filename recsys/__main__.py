"""``python -m recsys``: the command-line interface (see :mod:`recsys.cli`)."""

from recsys.cli import main

raise SystemExit(main())
