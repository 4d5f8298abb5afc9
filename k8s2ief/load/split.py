"""Cut a stream into documents at ``---`` lines, as kubectl's YAML reader does.

Splitting before parsing is what lets one broken document fail alone while the rest of the file
still converts, bounds the memory of a stream to one document, and hands workers whole documents.
A ``---`` line inside a block scalar cannot occur in valid YAML (a document marker at column 0
always ends the document), so this cut agrees with the YAML parser.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Chunk:
    """The text of one document and the 1-based file line its text starts on."""

    text: bytes
    first_line: int
    oversize: bool = False  # text was cut off at the size limit; only its start is kept


def reencode_if_utf16(stream: BinaryIO) -> BinaryIO:
    """Streams with a UTF-16/32 byte order mark are decoded once and handed on as UTF-8."""
    head = stream.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return io.BufferedReader(_Recoded(head, stream, encoding), 1 << 16)  # type: ignore[return-value]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return prepended(head, stream)


def prepended(head: bytes, rest: BinaryIO) -> BinaryIO:
    """``rest`` with bytes already read from it put back in front (a stream is read once)."""
    return io.BufferedReader(_Prepended(head, rest), 1 << 16)  # type: ignore[return-value]


class _Prepended(io.RawIOBase):
    """A stream with a few already-read bytes put back in front (no copy of the rest)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Recoded(io.RawIOBase):
    """A UTF-16/32 stream read as UTF-8, block by block (memory stays bounded)."""

    def __init__(self, head: bytes, rest: BinaryIO, encoding: str) -> None:
        self._head = head
        self._rest = rest
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._ended:
            block, self._head = self._head + self._rest.read(1 << 16), b""
            self._ended = not block
            self._pending = self._decoder.decode(block, final=self._ended).encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _is_separator(line: bytes) -> bool:
    if not line.startswith(b"---"):
        return False
    rest = line[3:].strip()
    return not rest or rest.startswith(b"#")


LINE_BLOCK = 1 << 16  # past the size limit, lines are read (and dropped) in blocks of this
READ_BLOCK = 1 << 20  # the fast cut reads this much at a time


def split_documents(stream: BinaryIO, max_bytes: int) -> Iterator[Chunk]:
    """Yield each document's bytes; a ``---`` line with content after it starts the next one.

    Memory stays within a few times ``max_bytes`` whatever the input: a line is read at most up
    to the limit (plus one byte, to know it is longer), and the rest of a longer line is read in
    blocks and dropped. A NUL byte in such an overlong line (``/dev/zero``; YAML text never
    holds one) ends the source: what follows is not text, and may never end.

    Blocks are cut with ``bytes.find`` (a Python step per document, not per line); the first
    line longer than the cap hands the rest of the stream to the line-by-line cut, which knows
    how to skip such lines. Both make the same chunks (tests/test_split.py)."""
    cap = max(max_bytes + 1, LINE_BLOCK)
    read = getattr(stream, "read1", stream.read)  # what a pipe has now, without waiting
    cut = _Cut(max_bytes)
    buf, at, eof = b"", 0, False  # buf[at:] is not cut yet and starts a line
    while True:
        marker = _next_marker(buf, at)
        if marker >= 0:
            cut.add(buf, at, marker)
            at = marker
            end = buf.find(b"\n", at)
            if end >= 0 or eof:
                at = end + 1 if end >= 0 else len(buf)
                cut.number += 1
                yield from cut.marker(buf[marker:at])
                continue
        elif eof:
            cut.add(buf, at, len(buf))
            if cut.parts or cut.oversize:
                yield cut.chunk()
            return
        else:  # whole lines before a partial last one (which may still become a marker)
            complete = max(buf.rfind(b"\n", at) + 1, at)
            cut.add(buf, at, complete)
            at = complete
        if len(buf) - at >= cap:  # a line as long as the cap: the line-by-line cut takes over
            yield from _split_lines(prepended(buf[at:], stream).readline, cap, cut)
            return
        block = read(max(READ_BLOCK, len(buf) - at))  # doubling: a long line costs linear time
        buf, at, eof = buf[at:] + block, 0, not block


def _next_marker(buf: bytes, at: int) -> int:
    """Where the next line starting with ``---`` begins in ``buf[at:]``, or -1."""
    if buf.startswith(b"---", at):
        return at
    found = buf.find(b"\n---", at)
    return found + 1 if found >= 0 else -1


class _Cut:
    """The document being cut: its kept bytes, size, first line, and the lines read so far."""

    __slots__ = ("first_line", "max_bytes", "number", "oversize", "parts", "size")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.oversize = False
        self.first_line = 1
        self.number = 0  # lines of the stream consumed

    def add(self, buf: bytes, start: int, stop: int) -> None:
        """Whole lines ``buf[start:stop]`` of the document (its text is kept up to the limit;
        an oversize document is reported at its first line, unparsed)."""
        if start >= stop:
            return
        self.number += buf.count(b"\n", start, stop)
        self.size += stop - start
        if self.size > self.max_bytes:
            self.oversize = True
            self.parts = []
        elif not self.oversize:
            self.parts.append(buf[start:stop])

    def add_line(self, line: bytes) -> None:
        self.size += len(line)
        if self.size > self.max_bytes:
            self.oversize = True
            self.parts = []
        elif not self.oversize:
            self.parts.append(line)

    def chunk(self) -> Chunk:
        return Chunk(b"".join(self.parts), self.first_line, self.oversize)

    def restart(self, first_line: int) -> None:
        self.parts, self.size, self.oversize, self.first_line = [], 0, False, first_line

    def marker(self, line: bytes) -> Iterator[Chunk]:
        """A line starting with ``---`` (``self.number`` counts it): it ends the document; a
        separator starts the next one on the line after, ``--- value`` on its own line (the
        parser must see the document start)."""
        yield self.chunk()
        if _is_separator(line):
            self.restart(self.number + 1)
        else:
            self.restart(self.number)
            self.add_line(line)


def _split_lines(readline: Callable[[int], bytes], cap: int, cut: _Cut) -> Iterator[Chunk]:
    """The line-by-line cut, from where ``cut`` stands: lines longer than ``cap`` are skipped
    (their document is oversize), and one holding a NUL ends the source."""
    while line := readline(cap):
        cut.number += 1
        if len(line) == cap and not line.endswith(b"\n"):  # the line goes on past the cap
            keep_reading = _skip_rest_of_line(readline, line)
            if line.startswith(b"---"):  # a marker with a huge comment or value after it
                yield cut.chunk()
                cut.restart(cut.number + 1 if _is_separator(line) else cut.number)
            cut.oversize = not (line.startswith(b"---") and _is_separator(line))
            if cut.oversize:
                cut.parts = []
            if not keep_reading:
                yield Chunk(b"", cut.first_line, True)
                return
            continue
        if line.startswith(b"---"):
            yield from cut.marker(line)
            continue
        cut.add_line(line)
    if cut.parts or cut.oversize:
        yield cut.chunk()


def _skip_rest_of_line(readline: Callable[[int], bytes], head: bytes) -> bool:
    """Read the rest of an overlong line and drop it; False when it is binary (a NUL byte)."""
    if b"\0" in head:
        return False
    while piece := readline(LINE_BLOCK):
        if b"\0" in piece:
            return False
        if piece[-1:] == b"\n":
            break
    return True
