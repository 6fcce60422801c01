"""Project exceptions: each message says what is wrong and what to do about it.

:class:`RecsysError` stands alone (it is not a ``ValueError``): the app and the CLI catch
it and show its message. Any other exception is a bug; the edges show a short apology with
a reference from :func:`new_reference` and write the traceback to the log with it.
"""

from __future__ import annotations

import uuid

LOG_ENV = "RECSYS_LOG"
"""Environment variable naming a file that receives the tracebacks of unexpected errors
(the CLI's default is ``recsys-errors.log`` in the temporary folder; the app logs to the
server's standard error, and to this file too when it is set)."""


class RecsysError(Exception):
    """Base of the project's errors: a problem the user can fix, and the message says how."""


class DataError(RecsysError):
    """A data file or table cannot be used as given (layout, columns, values, size)."""


class ParameterError(RecsysError):
    """A setting is out of its range or does not fit the data (k, n, support, test days)."""


class StorageError(RecsysError):
    """A file cannot be written as asked (read-only, no room on the disk, a folder that
    cannot hold a temporary copy); the file is unchanged."""


def new_reference() -> str:
    """Return a fresh 8-character reference (hex) for one unexpected error."""
    return uuid.uuid4().hex[:8]
