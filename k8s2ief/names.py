"""Where each IEF name was first used in a stream (for KI109), in flat arrays.

A stream must remember every name it has seen, so this store is the one thing that grows with
its length. A dict from name to place costs about 140 bytes a name; this open-addressing hash
table keeps, per name, its hash, its place and its UTF-8 bytes in flat arrays (about 60 bytes),
and compares the bytes on every hash match, so it is exact.
"""

from __future__ import annotations

from array import array

_EMPTY = -1
_MIN_SLOTS = 1024  # a power of two: a slot is hash & (slots - 1)


class FirstUse:
    """Names and the place (file, line) each was first claimed at."""

    def __init__(self) -> None:
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._slots = array("q", [_EMPTY]) * _MIN_SLOTS  # entry number, or _EMPTY
        self._hashes = array("q")
        self._file_of = array("L")
        self._line_of = array("Q")
        self._start_of = array("Q")  # where the entry's name starts in _names
        self._names = bytearray()

    def __len__(self) -> int:
        return len(self._hashes)

    def claim(self, name: str, source: str, line: int | None) -> str | None:
        """Record a use of ``name``; answer where it was first used when that was elsewhere."""
        data = name.encode("utf-8", "surrogatepass")
        digest = hash(data)
        file_id = self._file_id(source)
        slot = self._find(data, digest)
        entry = self._slots[slot]
        if entry == _EMPTY:
            self._add(slot, data, digest, file_id, line or 0)
            return None
        first_file, first_line = self._file_of[entry], self._line_of[entry]
        if (first_file, first_line) == (file_id, line or 0):
            return None
        source_text = self._files[first_file]
        return f"{source_text}:{first_line}" if first_line else source_text

    def _file_id(self, source: str) -> int:
        file_id = self._file_ids.get(source)
        if file_id is None:
            file_id = self._file_ids[source] = len(self._files)
            self._files.append(source)
        return file_id

    def _find(self, data: bytes, digest: int) -> int:
        """The slot holding ``data``, or the empty slot where it belongs (linear probing)."""
        mask = len(self._slots) - 1
        slot = digest & mask
        while True:
            entry = self._slots[slot]
            if entry == _EMPTY or (self._hashes[entry] == digest and self._name(entry) == data):
                return slot
            slot = (slot + 1) & mask

    def _name(self, entry: int) -> bytes:
        start = self._start_of[entry]
        end = self._start_of[entry + 1] if entry + 1 < len(self._start_of) else len(self._names)
        return bytes(self._names[start:end])

    def _add(self, slot: int, data: bytes, digest: int, file_id: int, line: int) -> None:
        self._slots[slot] = len(self._hashes)
        self._hashes.append(digest)
        self._file_of.append(file_id)
        self._line_of.append(line)
        self._start_of.append(len(self._names))
        self._names += data
        if len(self._hashes) * 3 > len(self._slots) * 2:  # keep the table at most 2/3 full
            self._grow()

    def _grow(self) -> None:
        self._slots = array("q", [_EMPTY]) * (len(self._slots) * 2)
        mask = len(self._slots) - 1
        for entry, digest in enumerate(self._hashes):
            slot = digest & mask
            while self._slots[slot] != _EMPTY:
                slot = (slot + 1) & mask
            self._slots[slot] = entry
