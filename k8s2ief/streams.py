"""The process's standard streams and signals, as the CLI needs them to fail in one line.

- A standard stream that is closed (``>&-``, ``<&-``, ``2>&-``) has /dev/null put on its
  descriptor, so a file the tool opens later never takes its number (a report written to fd 1
  would be "stdout"); reading or writing it then fails with "stdin is closed" / "stdout is
  closed" (an OSError: exit 2); with stderr closed that line cannot be shown, the exit code
  still says it.
- SIGTERM raises ``Terminated`` where the program stands, as SIGINT raises KeyboardInterrupt,
  so that the same clean-ups run (temporary files) and the exit code is 143.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable
from typing import IO

try:
    # The C module that signal.py wraps, already loaded by the interpreter: the same calls,
    # without building signal.py's enums (about 1 ms of every start).
    import _signal as signal
except ImportError:  # an interpreter without it
    import signal  # type: ignore[no-redef]


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""


def guard_standard_streams() -> None:
    for number, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(number)
        except OSError:
            _occupy(number)
            setattr(sys, name, _Closed(name))
        else:
            if getattr(sys, name) is None:  # Python found it closed at start-up
                setattr(sys, name, _Closed(name))


def _occupy(number: int) -> None:
    descriptor = os.open(os.devnull, os.O_RDWR)
    if descriptor != number:
        os.dup2(descriptor, number)
        os.close(descriptor)


class _ClosedBinary(io.RawIOBase):
    def __init__(self, name: str) -> None:
        self._name = name

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        raise OSError(errno.EBADF, f"{self._name} is closed")

    def write(self, data: object) -> int:  # type: ignore[override]
        raise OSError(errno.EBADF, f"{self._name} is closed")


class _Closed(io.TextIOBase):
    """A closed standard stream: every read or write fails with one clear OSError, and nothing
    is ever buffered (so nothing fails again when the interpreter flushes it at exit)."""

    def __init__(self, name: str) -> None:
        self._stream_name = name
        self.buffer = _ClosedBinary(name)

    def _fail(self) -> OSError:
        return OSError(errno.EBADF, f"{self._stream_name} is closed")

    def write(self, text: str) -> int:
        raise self._fail()

    def read(self, size: int | None = -1) -> str:
        raise self._fail()

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise self._fail()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise self._fail()

    def flush(self) -> None:
        pass


def on_sigterm() -> Callable[[], None]:
    """Make SIGTERM raise Terminated; returns what puts the previous handler back."""

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread (the CLI called from a library): leave it be
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


def say(text: str) -> None:
    """One line on stderr; if stderr itself cannot be written, the exit code says it all."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def silence(stream: IO[str]) -> None:
    """Put /dev/null under a stream that cannot be written any more, so that the interpreter's
    own flush at exit does not fail again (Python's documented answer to EPIPE)."""
    if isinstance(stream, _Closed):
        return  # it holds nothing
    with contextlib.suppress(OSError, ValueError, AttributeError):
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, stream.fileno())
        os.close(descriptor)


def one_line(text: str) -> str:
    return " ".join(text.split())
