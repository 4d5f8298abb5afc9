"""Cut a stream into documents at ``---`` lines, as kubectl's YAML reader does.

Splitting before parsing is what lets one broken document fail alone while the rest of the file
still converts, bounds the memory of a stream to one document, and hands workers whole documents.
A ``---`` line inside a block scalar cannot occur in valid YAML (a document marker at column 0
always ends the document), so this cut agrees with the YAML parser.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
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
            text = (head + stream.read()).decode(encoding, errors="replace")
            return io.BytesIO(text.encode("utf-8"))
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return io.BufferedReader(_Prepended(head, stream), 1 << 16)  # type: ignore[return-value]


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


def _is_separator(line: bytes) -> bool:
    if not line.startswith(b"---"):
        return False
    rest = line[3:].strip()
    return not rest or rest.startswith(b"#")


_BLOCK = 1 << 16  # bytes read at a time (as the buffered reader did): one bytes.find per document


def split_documents(stream: BinaryIO, max_bytes: int) -> Iterator[Chunk]:
    """Yield each document's bytes; a ``---`` line with content after it starts the next one.

    Read in blocks of whole lines, cut where a line starts with ``---``: this runs in the parent
    process ahead of the workers, and a Python step per line was a twentieth of a conversion.
    tests/test_split.py holds it to the line-by-line reading it replaces.
    """
    parts: list[bytes] = []
    size = 0
    oversize = False
    first_line = 1
    number = 1  # the line number at ``start``
    for block in _line_blocks(stream):
        start = 0
        at = 0 if block.startswith(b"---") else _next_line_start(block, 1)
        while at >= 0:
            end = block.find(b"\n", at) + 1 or len(block)
            before = block[start:at]
            size, oversize = _keep(parts, before, size, oversize, max_bytes)
            number += before.count(b"\n")
            yield Chunk(b"".join(parts), first_line, oversize)
            parts, size, oversize = [], 0, False
            if _is_separator(block[at:end]):
                first_line = number + 1
                number += 1
                start = end
            else:
                # "--- value" is valid YAML: keep the marker so the parser sees the document start.
                first_line = number
                start = at
            at = _next_line_start(block, end)
        rest = block[start:]
        size, oversize = _keep(parts, rest, size, oversize, max_bytes)
        number += rest.count(b"\n")
    if parts or oversize:
        yield Chunk(b"".join(parts), first_line, oversize)


def _line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream in blocks that end at a line end (the last one perhaps without it).

    A line longer than a block (a 50 MB scalar) is gathered in pieces and joined once: adding
    each read to the partial line would copy it again on every read."""
    pending: list[bytes] = []  # the start of a line not ended yet
    while data := stream.read(_BLOCK):
        end = data.rfind(b"\n") + 1
        if not end:
            pending.append(data)
            continue
        if pending:
            pending.append(data[:end])
            yield b"".join(pending)
            pending = []
        else:
            yield data[:end] if end < len(data) else data
        if end < len(data):
            pending.append(data[end:])
    if pending:
        yield b"".join(pending)


def _next_line_start(block: bytes, index: int) -> int:
    """Where the first line starting with ``---`` at or after ``index`` begins, else -1.

    ``index`` is a line start (after a newline), never 0."""
    found = block.find(b"\n---", index - 1)
    return found + 1 if found >= 0 else -1


def _keep(
    parts: list[bytes], text: bytes, size: int, oversize: bool, max_bytes: int
) -> tuple[int, bool]:
    """Add whole lines of ``text`` to a document while it stays within ``max_bytes``."""
    if not text:
        return size, oversize
    if size + len(text) <= max_bytes:
        parts.append(text)
    elif not oversize:
        kept = text.rfind(b"\n", 0, max_bytes - size) + 1
        if kept:
            parts.append(text[:kept])
        oversize = True
    return size + len(text), oversize
