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

from k8s2ief.records import FrozenRecord, slot_setters

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
        _set_text(self, text)
        _set_first_line(self, first_line)
        _set_oversize(self, oversize)

    def __reduce__(self) -> tuple[type[Chunk], tuple[bytes, int, bool]]:
        # Every document goes to a worker as a chunk: spelled out, faster than the generic one.
        return (Chunk, (self.text, self.first_line, self.oversize))


_set_text, _set_first_line, _set_oversize = slot_setters(Chunk)


def reencode_if_utf16(stream: BinaryIO) -> BinaryIO:
    """Streams with a UTF-16/32 byte order mark are decoded once and handed on as UTF-8."""
    head = stream.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return io.BufferedReader(_Recoded(head, stream, encoding), 1 << 16)  # type: ignore[return-value]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return prepended(head, stream)


def prepended(head: bytes | memoryview, rest: BinaryIO) -> BinaryIO:
    """``rest`` with bytes already read from it put back in front (a stream is read once)."""
    return io.BufferedReader(_Prepended(head, rest), 1 << 16)  # type: ignore[return-value]


class _Prepended(io.RawIOBase):
    """A stream with a few already-read bytes put back in front (no copy of the rest)."""

    def __init__(self, head: bytes | memoryview, rest: BinaryIO) -> None:
        # The head can be a long line: handed out through a view, never copied or re-sliced.
        self._head = memoryview(head)
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


def _is_separator(line: bytes | bytearray) -> bool:
    if not line.startswith(b"---"):
        return False
    rest = line[3:].strip()
    return not rest or rest.startswith(b"#")


LINE_BLOCK = 1 << 16  # lines are capped at the size limit, and at no less than this
READ_BLOCK = 1 << 16  # the cut reads this much at a time (more only costs memory: 1 MiB
# blocks held 3.5 MB more at the peak than these, and cut no faster); a longer line is read alone


def split_documents(stream: BinaryIO, max_bytes: int) -> Iterator[Chunk]:
    """Yield each document's bytes; a ``---`` line with content after it starts the next one.

    Memory stays within a few times ``max_bytes`` whatever the input: a line is held at most up
    to the limit (plus one byte, to know it is longer), and the rest of a longer line is read in
    blocks and dropped. A NUL byte in such an overlong line (``/dev/zero``; YAML text never
    holds one) ends the source: what follows is not text, and may never end.

    Blocks are cut with ``bytes.find``: a Python step per document, not per line (the same
    chunks as the line-by-line cut, tests/test_split.py)."""
    cap = max(max_bytes + 1, LINE_BLOCK)
    read = getattr(stream, "read1", stream.read)  # what a pipe has now, without waiting
    cut = _Cut(max_bytes)
    buf, at, eof = b"", 0, False  # buf[at:] is not cut yet and starts a line
    while True:
        marker = _next_marker(buf, at)
        if marker >= 0:
            if _ends_source(buf, at, marker, cap):
                yield Chunk(b"", cut.first_line, True)
                return
            cut.add(buf, at, marker)
            at = marker
            end = buf.find(b"\n", at)
            if end >= 0 or eof:
                at = end + 1 if end >= 0 else len(buf)
                cut.number += 1
                line = buf[marker:at]
                if len(line) - line.endswith(b"\n") < cap:
                    yield from cut.marker(line)
                    continue
                yield from cut.overlong(line[:cap])  # a marker with a huge comment or value
                if b"\0" in line:
                    yield Chunk(b"", cut.first_line, True)
                    return
                continue
        elif eof:
            if _ends_source(buf, at, len(buf), cap):
                yield Chunk(b"", cut.first_line, True)
                return
            cut.add(buf, at, len(buf))
            if cut.parts or cut.oversize:
                yield cut.chunk()
            return
        else:  # whole lines before a partial last one (which may still become a marker)
            complete = max(buf.rfind(b"\n", at) + 1, at)
            if _ends_source(buf, at, complete, cap):
                yield Chunk(b"", cut.first_line, True)
                return
            cut.add(buf, at, complete)
            at = complete
        if len(buf) - at >= min(READ_BLOCK, cap):  # a long line: read to its end on its own
            line, buf, eof = _long_line(buf[at:], read, cap)
            at = 0
            cut.number += 1
            if line.binary:
                yield from cut.overlong(line.text)
                yield Chunk(b"", cut.first_line, True)  # not text: the source ends here
                return
            if line.overlong:
                yield from cut.overlong(line.text)
            elif line.text.startswith(b"---"):
                yield from cut.marker(line.text)
            else:
                cut.add_line(line.text)
            continue
        block = read(READ_BLOCK)
        buf, at, eof = buf[at:] + block, 0, not block


def _ends_source(buf: bytes, start: int, stop: int, cap: int) -> bool:
    """Whether the lines ``buf[start:stop]`` hold an overlong one (as long as the cap without its
    newline) with a NUL byte in it. Such a region is past the size limit anyway, so this is
    only looked at for regions as long as the cap that hold a NUL at all."""
    if stop - start < cap or buf.find(b"\0", start, stop) < 0:
        return False
    while start < stop:
        end = buf.find(b"\n", start, stop)
        end = stop if end < 0 else end
        if end - start >= cap and buf.find(b"\0", start, end) >= 0:
            return True
        start = end + 1
    return False


class _Line:
    __slots__ = ("binary", "overlong", "text")

    def __init__(self, text: bytearray, *, overlong: bool = False, binary: bool = False) -> None:
        self.text = text  # the whole line, or an overlong line's first ``cap`` bytes
        self.overlong = overlong
        self.binary = binary  # an overlong line holding a NUL byte


def _long_line(start: bytes, read: Callable[[int], bytes], cap: int) -> tuple[_Line, bytes, bool]:
    """The line that begins with ``start`` (no newline in it yet), the bytes read past its end,
    and whether the stream ended. The line grows in place, up to ``cap`` bytes; the rest of a
    longer line is read and dropped as it comes."""
    if len(start) >= cap:  # the buffer already holds more than the cap of it
        line, tail = bytearray(start[:cap]), start[cap:]
        return _rest_of_overlong(line, tail, read)
    line = bytearray(start)
    while True:
        block = read(READ_BLOCK)
        end = block.find(b"\n")
        if not block or (end >= 0 and len(line) + end < cap):  # the stream or the line ends
            stop = end + 1 if end >= 0 else 0
            line += block[:stop]
            if len(line) - line.endswith(b"\n") < cap:
                return _Line(line), block[stop:], not block
            binary = b"\0" in line  # as long as the cap without its newline: overlong
            del line[cap:]
            return _Line(line, overlong=True, binary=binary), block[stop:], not block
        room = cap - len(line)
        if len(block) > room:
            line += block[:room]
            tail = block[room:]
            break
        line += block
    return _rest_of_overlong(line, tail, read)


def _rest_of_overlong(
    line: bytearray, tail: bytes, read: Callable[[int], bytes]
) -> tuple[_Line, bytes, bool]:
    """An overlong line's first ``cap`` bytes, its rest (``tail`` and on) read and dropped."""
    binary = b"\0" in line
    while True:
        end = tail.find(b"\n")
        if end >= 0:
            binary = binary or b"\0" in tail[:end]
            return _Line(line, overlong=True, binary=binary), tail[end + 1 :], False
        if binary or b"\0" in tail:  # /dev/zero never ends: stop reading at once
            return _Line(line, overlong=True, binary=True), b"", False
        tail = read(READ_BLOCK)
        if not tail:
            return _Line(line, overlong=True), b"", True


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

    def add_line(self, line: bytes | bytearray) -> None:
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

    def marker(self, line: bytes | bytearray) -> Iterator[Chunk]:
        """A line starting with ``---`` (``self.number`` counts it): it ends the document; a
        separator starts the next one on the line after, ``--- value`` on its own line (the
        parser must see the document start)."""
        yield self.chunk()
        if _is_separator(line):
            self.restart(self.number + 1)
        else:
            self.restart(self.number)
            self.add_line(line)

    def overlong(self, head: bytes | bytearray) -> Iterator[Chunk]:
        """A line longer than the cap (``head`` is its start): its document is oversize, unless
        it is a separator with a huge comment, which starts the next document."""
        marker = head.startswith(b"---")
        if marker:
            yield self.chunk()
            self.restart(self.number + 1 if _is_separator(head) else self.number)
        if not (marker and _is_separator(head)):
            self.oversize, self.parts = True, []
