"""Project exceptions: each message says what is wrong and what to do about it."""

from __future__ import annotations


class RecsysError(ValueError):
    """Base of the project's errors; a ``ValueError`` so callers may catch either."""


class DataError(RecsysError):
    """A data file or table cannot be used as given (layout, columns, values, size)."""


class ParameterError(RecsysError):
    """A setting is out of its range or does not fit the data (k, n, support, test days)."""


class StorageError(RecsysError):
    """A file cannot be written as asked (read-only, no room on the disk, a folder that
    cannot hold a temporary copy); the file is unchanged."""
