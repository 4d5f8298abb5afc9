"""Input paths -> readable sources: files, directories (recursively), standard input and streams.

A regular file can be read again (the envFrom pre-scan reads it before the conversion does).
Anything else — standard input, a pipe given as a path (``<(cat app.yaml)``), a named FIFO, a
device — is read exactly once: a pre-scan sees its first bytes, spooled (in memory, then a
temporary file) up to a bound, and the conversion reads that spool followed by the rest of the
stream, live. Disk and memory are thus bounded by the limits, never by the input.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from k8s2ief.load import render
from k8s2ief.records import FrozenRecord, set_field

STDIN = "-"
STDIN_NAME = "<stdin>"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SPOOL_IN_MEMORY = 8 << 20  # past this, a spooled stream goes to a temporary file


class Source(FrozenRecord):
    """Something that holds documents.

    ``open`` gives the whole content; for a regular file it may be called again. ``scan``, for
    pre-scans, gives the content a pre-scan may read: all of a file, or a stream's spooled head
    (``scan_complete`` then says whether that head was the whole stream)."""

    __slots__ = ("name", "open", "scan", "scan_complete")
    name: str
    open: Callable[[], BinaryIO]
    scan: Callable[[], BinaryIO] | None
    scan_complete: Callable[[], bool] | None

    def __init__(
        self,
        name: str,
        open: Callable[[], BinaryIO],
        scan: Callable[[], BinaryIO] | None = None,
        scan_complete: Callable[[], bool] | None = None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "open", open)
        set_field(self, "scan", scan)
        set_field(self, "scan_complete", scan_complete)

    @property
    def rereadable(self) -> bool:
        return self.scan is None

    def open_for_scan(self) -> BinaryIO:
        return self.scan() if self.scan is not None else self.open()

    def scanned_whole(self) -> bool:
        return self.scan_complete() if self.scan_complete is not None else True


def iter_sources(paths: Iterable[str], *, spool_bytes: int = 64 << 20) -> Iterator[Source]:
    """Files as given, directories walked in sorted order, ``-`` (or nothing) for stdin.

    ``spool_bytes`` bounds what a pre-scan may hold of one stream (the CLI passes
    --max-document-bytes)."""
    given = list(paths)
    for path in given or [STDIN]:
        if isinstance(path, render.RenderedPath):  # -k DIR, rendered by kubectl
            yield Source(path, path.open)
        elif path == STDIN:
            stream = _Once(_stdin_opener(announce=not given), spool_bytes)
            yield stream.source(STDIN_NAME)
        elif os.path.isdir(path):
            yield from _walk(path, spool_bytes)
        elif not render.skipped_file(path):
            yield _path_source(path, spool_bytes)


def _path_source(path: str, spool_bytes: int) -> Source:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG  # opening it will fail and say why, in its place
    if stat.S_ISREG(mode):
        return Source(path, lambda: open(path, "rb"))
    return _Once(lambda: open(path, "rb"), spool_bytes).source(path)


def _walk(top: str, spool_bytes: int) -> Iterator[Source]:
    # Symlinked directories are followed, but each real directory once, so loops end.
    seen: set[tuple[int, int]] = set()
    for directory, subdirs, files in os.walk(top, followlinks=True, onerror=None):
        try:
            status = os.stat(directory)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) in seen:
            subdirs[:] = []
            continue
        seen.add((status.st_dev, status.st_ino))
        subdirs.sort()
        for name in sorted(render.manifest_files(directory, subdirs, files)):
            if name.endswith(MANIFEST_SUFFIXES):
                yield _path_source(os.path.join(directory, name), spool_bytes)


def _stdin_opener(*, announce: bool) -> Callable[[], BinaryIO]:
    def open_stdin() -> BinaryIO:
        stdin = sys.stdin
        if announce and stdin is not None and stdin.isatty():
            # Nothing was named, so a user at a terminal may not know the tool waits for them.
            print(
                "k8s2ief: reading manifests from stdin (end with Ctrl-D; paths or - may be "
                "given instead)",
                file=sys.stderr,
                flush=True,
            )
        return stdin.buffer  # type: ignore[return-value]

    return open_stdin


class _Once:
    """A stream read exactly once: pre-scans read its spooled head, the conversion all of it."""

    def __init__(self, opener: Callable[[], BinaryIO], spool_bytes: int) -> None:
        self._opener = opener
        self._limit = spool_bytes
        self._raw: BinaryIO | None = None
        self._spool: BinaryIO | None = None
        self._complete = False

    def source(self, name: str) -> Source:
        return Source(name, self.open, self.scan, lambda: self._complete)

    def _stream(self) -> BinaryIO:
        if self._raw is None:
            self._raw = self._opener()
        return self._raw

    def scan(self) -> BinaryIO:
        if self._spool is None:
            import tempfile  # only for streams: it costs start-up (shutil, random, bz2, lzma)

            raw = self._stream()
            spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
            self._spool = spool  # type: ignore[assignment]
            left = self._limit
            while left > 0:
                block = raw.read(min(1 << 20, left))
                if not block:
                    self._complete = True
                    break
                spool.write(block)
                left -= len(block)
        assert self._spool is not None
        self._spool.seek(0)
        return _Unclosable(self._spool)  # type: ignore[return-value]

    def open(self) -> BinaryIO:
        raw = self._stream()
        if self._spool is None:
            return raw
        self._spool.seek(0)
        head, self._spool = self._spool, None  # the conversion reads it once, then frees it
        if self._complete:
            raw.close()
            return head
        return io.BufferedReader(_Chained(head, raw), 1 << 16)  # type: ignore[return-value]


class _Chained(io.RawIOBase):
    """The spooled head of a stream, then the stream itself."""

    def __init__(self, head: BinaryIO, rest: BinaryIO) -> None:
        self._parts = [head, rest]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._parts:
            data = self._parts[0].read(len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
            self._parts.pop(0).close()
        return 0

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []
        super().close()


class _Unclosable:
    """Lets ``with source.open_for_scan()`` close its view without closing the shared spool."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def __enter__(self) -> _Unclosable:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass
