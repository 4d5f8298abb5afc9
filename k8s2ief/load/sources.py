"""Input paths -> readable sources: files, directories (recursively), and standard input."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from k8s2ief.load import render

STDIN = "-"
STDIN_NAME = "<stdin>"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Source:
    """Something that holds documents. ``open`` may be called more than once (pre-scans)."""

    name: str
    open: Callable[[], BinaryIO]


def iter_sources(paths: Iterable[str]) -> Iterator[Source]:
    """Files as given, directories walked in sorted order, ``-`` (or nothing) for stdin."""
    given = list(paths) or [STDIN]
    for path in given:
        if isinstance(path, render.RenderedPath):  # -k DIR, rendered by kubectl
            yield Source(path, path.open)
        elif path == STDIN:
            yield Source(STDIN_NAME, _stdin_opener())
        elif os.path.isdir(path):
            yield from _walk(path)
        elif not render.skipped_file(path):
            yield _file(path)


def _file(path: str) -> Source:
    return Source(path, lambda: open(path, "rb"))


def _walk(top: str) -> Iterator[Source]:
    # Symlinked directories are followed, but each real directory once, so loops end.
    seen: set[tuple[int, int]] = set()
    for directory, subdirs, files in os.walk(top, followlinks=True, onerror=None):
        try:
            stat = os.stat(directory)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            subdirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        subdirs.sort()
        for name in sorted(render.manifest_files(directory, subdirs, files)):
            if name.endswith(MANIFEST_SUFFIXES):
                yield _file(os.path.join(directory, name))


def _stdin_opener() -> Callable[[], BinaryIO]:
    """Standard input, spooled once so that it can be read again (memory-bounded)."""
    spool: list[BinaryIO] = []

    def open_stdin() -> BinaryIO:
        if not spool:
            buffer = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
            stdin = sys.stdin.buffer
            while block := stdin.read(1 << 20):
                buffer.write(block)
            spool.append(buffer)  # type: ignore[arg-type]
        stream = spool[0]
        stream.seek(0)
        return _Unclosable(stream)

    return open_stdin


class _Unclosable:
    """Lets ``with source.open()`` close its view without closing the shared spool."""

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
