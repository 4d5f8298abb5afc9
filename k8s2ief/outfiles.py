"""Every file the tool writes (bodies in --output-dir, --report-file, audit --output), by one rule.

- The path is followed through symlinks, as a shell redirection (``> path``) follows them.
- What is there and is not a regular file (a device such as /dev/null or /dev/full, a FIFO, a
  socket) is written through, as ``> path`` writes it: it is never replaced by a file.
- A regular file, existing or new, is replaced atomically: the text goes to a temporary
  ``.k8s2ief-*.tmp`` beside it, is fsync'ed and renamed over it, so a reader never sees half a
  file and a failure leaves the old file as it was. A new file gets the mode the umask gives
  (0644 under 022), an existing one keeps its mode.
- Temporary files not yet renamed are listed in ``_LIVE``; an interruption (SIGINT, SIGTERM)
  removes them, wherever it lands (``remove_temporaries``).

An output that is one of the inputs is refused before anything is opened (``same_as_input``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from typing import IO

TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".k8s2ief-", ".tmp"
_LIVE: set[str] = set()


@contextlib.contextmanager
def output_file(path: str) -> Iterator[IO[str]]:
    """A text handle on ``path``, written by the rule above when the block ends without error.

    Raises OSError (the caller turns it into a one-line message)."""
    target = os.path.realpath(path)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(target, "w", encoding="utf-8") as handle:
            yield handle
        return
    temporary = os.path.join(
        os.path.dirname(target), f"{TEMPORARY_PREFIX}{os.urandom(8).hex()}{TEMPORARY_SUFFIX}"
    )
    _LIVE.add(temporary)  # listed before it exists: an interruption at any point removes it
    try:
        # 0o666 and O_EXCL: the umask decides a new file's mode, as it does for a redirection.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            if existing is not None:
                os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
            yield handle
            handle.flush()
            os.fsync(descriptor)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        _LIVE.discard(temporary)


def write_file(path: str, text: str) -> None:
    with output_file(path) as handle:
        handle.write(text)


def remove_temporaries() -> None:
    """Remove temporary files an interruption left (called by the CLI on every way out)."""
    for temporary in list(_LIVE):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _LIVE.discard(temporary)


def same_as_input(output: str, inputs: Iterable[str], *, stdin: bool) -> bool:
    """Whether ``output`` is the same file as an input (device and inode: symlinks and hard links
    included) or as standard input when it is read. A missing output is no input."""
    try:
        wanted = os.stat(output)
    except OSError:
        return False
    identity = (wanted.st_dev, wanted.st_ino)
    if not stat.S_ISREG(wanted.st_mode):
        return False  # /dev/null, a FIFO: writing there loses no input
    if stdin:
        with contextlib.suppress(OSError, ValueError):
            seen = os.fstat(sys.stdin.fileno())
            if (seen.st_dev, seen.st_ino) == identity:
                return True
    for name in inputs:
        try:
            seen = os.stat(name)
        except OSError:
            continue
        if (seen.st_dev, seen.st_ino) == identity:
            return True
    return False
