"""Project exceptions: each message says what is wrong and what to do about it."""

from __future__ import annotations


class RecsysError(ValueError):
    """Base of the project's errors; a ``ValueError`` so callers may catch either."""


class DataError(RecsysError):
    """A data file or table cannot be used as given (layout, columns, values, size)."""


class ParameterError(RecsysError):
    """A setting is out of its range or does not fit the data (k, n, support, test days)."""
