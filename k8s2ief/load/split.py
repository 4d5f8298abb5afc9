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
from typing import BinaryIO

from k8s2ief.records import FrozenRecord, set_field

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class Chunk(FrozenRecord):
    """The text of one document and the 1-based file line its text starts on."""

    __slots__ = ("text", "first_line", "oversize")  # noqa: RUF023 (the order of __init__)
    text: bytes
    first_line: int
    oversize: bool  # text was cut off at the size limit; only its start is kept

    def __init__(self, text: bytes, first_line: int, oversize: bool = False) -> None:
        set_field(self, "text", text)
        set_field(self, "first_line", first_line)
        set_field(self, "oversize", oversize)

    def __reduce__(self) -> tuple[type[Chunk], tuple[bytes, int, bool]]:
        # Every document goes to a worker as a chunk: spelled out, faster than the generic one.
        return (Chunk, (self.text, self.first_line, self.oversize))


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


def split_documents(stream: BinaryIO, max_bytes: int) -> Iterator[Chunk]:
    """Yield each document's bytes; a ``---`` line with content after it starts the next one.

    Memory stays within a few times ``max_bytes`` whatever the input: a line is read at most up
    to the limit (plus one byte, to know it is longer), and the rest of a longer line is read in
    blocks and dropped. A NUL byte in such an overlong line (``/dev/zero``; YAML text never
    holds one) ends the source: what follows is not text, and may never end."""
    readline = stream.readline
    cap = max(max_bytes + 1, LINE_BLOCK)
    lines: list[bytes] = []
    size = 0
    oversize = False
    first_line = 1
    number = 0
    while line := readline(cap):
        number += 1
        if len(line) == cap and not line.endswith(b"\n"):  # the line goes on past the cap
            keep_reading = _skip_rest_of_line(readline, line)
            if line.startswith(b"---"):  # a marker with a huge comment or value after it
                yield Chunk(b"".join(lines), first_line, oversize)
                lines, size = [], 0
                first_line = number + 1 if _is_separator(line) else number
            oversize = not (line.startswith(b"---") and _is_separator(line))
            if not keep_reading:
                yield Chunk(b"", first_line, True)
                return
            continue
        if line.startswith(b"---"):
            if _is_separator(line):
                yield Chunk(b"".join(lines), first_line, oversize)
                lines, size, oversize, first_line = [], 0, False, number + 1
                continue
            # "--- value" is valid YAML: keep the marker so the parser sees the document start.
            yield Chunk(b"".join(lines), first_line, oversize)
            lines, size, oversize, first_line = [], 0, False, number
        size += len(line)
        if size > max_bytes:
            oversize = True
            continue
        lines.append(line)
    if lines or oversize:
        yield Chunk(b"".join(lines), first_line, oversize)


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
