"""The document cut (k8s2ief.load.split), lines capped at the size limit, against the plain
line-by-line cut: the same documents; an oversize document is only its start line and the mark
(its text is never parsed)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s2ief.load import split
from k8s2ief.load.split import Chunk, split_documents

LINES = st.sampled_from(
    [
        b"---\n",
        b"---",
        b"--- \n",
        b"---\t# c\n",
        b"--- # c\r\n",
        b"---\r\n",
        b"--- a: 1\n",
        b"----\n",
        b"---x\n",
        b"--- |\n",
        b"a: 1\n",
        b"  b: [1, 2]\n",
        b"\n",
        b"# ---\n",
        b" ---\n",
        b"x" * 40 + b"\n",
        b"key: value",
        b"...\n",
    ]
)


@settings(max_examples=700, deadline=None)
@given(
    st.lists(LINES, max_size=30),
    st.sampled_from([1, 5, 16, 64, 1 << 20]),
    st.sampled_from([64, 100, 1 << 20]),  # caps above every generated line's length
    st.sampled_from([1, 2, 3, 7, 64, 1 << 20]),  # reads that end inside markers and lines
)
def test_same_chunks_as_line_by_line(
    lines: list[bytes], max_bytes: int, block: int, read_block: int
) -> None:
    text = b"".join(lines)
    got = cut_in_blocks(text, max_bytes, block, read_block)
    assert [seen(chunk) for chunk in got] == [
        seen(chunk) for chunk in capped_reference(io.BytesIO(text), max_bytes, block)
    ]


def capped_reference(stream: io.BytesIO, max_bytes: int, line_block: int) -> Iterator[Chunk]:
    """The line-by-line cut, a Python step per line, with lines capped at the limit (the
    implementation before blocks, the behaviour to keep):
    a line as long as the cap is skipped and makes its document oversize, unless it is a
    separator; one holding a NUL ends the source."""
    readline = stream.readline
    cap = max(max_bytes + 1, line_block)
    lines: list[bytes] = []
    size = 0
    oversize = False
    first_line = 1
    number = 0
    while line := readline(cap):
        number += 1
        if len(line) == cap and not line.endswith(b"\n"):
            keep_reading = b"\0" not in line
            while keep_reading and (piece := readline(line_block)):
                if b"\0" in piece:
                    keep_reading = False
                elif piece[-1:] == b"\n":
                    break
            separator = line.startswith(b"---") and split._is_separator(line)
            if line.startswith(b"---"):
                yield Chunk(b"".join(lines), first_line, oversize)
                lines, size = [], 0
                first_line = number + 1 if separator else number
            oversize = not separator
            if not keep_reading:
                yield Chunk(b"", first_line, True)
                return
            continue
        if line.startswith(b"---"):
            yield Chunk(b"".join(lines), first_line, oversize)
            if split._is_separator(line):
                lines, size, oversize, first_line = [], 0, False, number + 1
                continue
            lines, size, oversize, first_line = [], 0, False, number
        size += len(line)
        if size > max_bytes:
            oversize = True
            continue
        lines.append(line)
    if lines or oversize:
        yield Chunk(b"".join(lines), first_line, oversize)


LONG_LINES = st.sampled_from(
    [
        b"---\n",
        b"--- a: 1\n",
        b"a: 1\n",
        b"x" * 70 + b"\n",
        b"y" * 200,
        b"--- " + b" " * 70 + b"\n",
        b"--- " + b" " * 70 + b"x\n",
        b"---" + b"z" * 90 + b"\n",
        b"--- # " + b"c" * 80 + b"\n",
        b"a\0b" * 30 + b"\n",
        b"\0" * 5 + b"\n",
        b"\0" * 100,
        b"--- #" + b"\0" * 70 + b"\n",
        b"k: v",
    ]
)


@settings(max_examples=700, deadline=None)
@given(
    st.lists(LONG_LINES, max_size=20),
    st.sampled_from([1, 5, 16, 64, 1 << 20]),
    st.sampled_from([16, 64]),  # caps below some generated lines: they are overlong
    st.sampled_from([1, 2, 3, 7, 64, 1 << 20]),
)
def test_overlong_lines_and_nul_bytes_as_the_capped_line_cut(
    lines: list[bytes], max_bytes: int, block: int, read_block: int
) -> None:
    text = b"".join(lines)
    got = cut_in_blocks(text, max_bytes, block, read_block)
    want = capped_reference(io.BytesIO(text), max_bytes, block)
    assert [seen(chunk) for chunk in got] == [seen(chunk) for chunk in want]


def cut_in_blocks(text: bytes, max_bytes: int, block: int, read_block: int) -> list[Chunk]:
    """The cut of ``text`` with the given line and read block sizes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(split, "LINE_BLOCK", block)
        patch.setattr(split, "READ_BLOCK", read_block)
        return list(split_documents(io.BytesIO(text), max_bytes))


def seen(chunk: Chunk) -> tuple[int, bool, bytes]:
    """What the loader uses of a chunk: an oversize one is reported at its line, unparsed."""
    return chunk.first_line, chunk.oversize, b"" if chunk.oversize else chunk.text


def test_same_chunks_on_a_large_stream() -> None:
    document = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
    text = b"---\n".join([document] * 5000) + b"--- # end\n--- a\n"
    for max_bytes in (10, 64 << 20):
        got = list(split_documents(io.BytesIO(text), max_bytes))
        assert [seen(c) for c in got] == [
            seen(c) for c in capped_reference(io.BytesIO(text), max_bytes, split.LINE_BLOCK)
        ]
    assert len(got) == 5002  # the last two: empty between the markers, then "--- a"


def test_a_line_past_the_cap_makes_its_document_oversize_and_the_next_still_splits() -> None:
    head = b"apiVersion: v1\nkind: ConfigMap\n"
    text = head + b"data: " + b"x" * 300_000 + b"\n---\n" + head
    got = [seen(c) for c in split_documents(io.BytesIO(text), 1024)]
    assert got == [(1, True, b""), (5, False, head)]
