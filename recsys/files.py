"""Safe file writes: an append that either lands whole or not at all.

A writer copies the old bytes into a temporary file beside the target, adds the new
bytes, flushes them to disk and renames the temporary file over the target; a reader
(or a crash) sees either the old file or the new one, never a torn mix.

The rename replaces whatever the path names: a caller gives the real file (a symbolic
link followed) and checks it may write it (``recsys.synth.append_file.writable_target``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def atomic_append(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` by copy + append + fsync + ``os.replace``.

    The old bytes are copied unchanged, so the old content is a prefix of the new (a
    caller adds the missing line end of a file's last line to ``data``); on any error the
    temporary file is removed and ``path`` is untouched.

    Raises
    ------
    OSError
        As the system raised it (a full disk: ``errno.ENOSPC``), after removing the
        temporary file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(path, "rb") as src, open(tmp, "xb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 22)
            dst.write(data)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def remove_stale_temps(path: Path) -> None:
    """Remove temporary files a killed append left beside ``path`` (call under the lock)."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk, so a rename in it survives a crash (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
