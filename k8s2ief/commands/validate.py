"""``k8s2ief validate`` (check IEF bodies from anywhere) and ``k8s2ief schema``.

validate reads every body format convert writes: ``-o json`` (one body, or an array of them),
``-o jsonl`` (one body per line) and ``-o yaml`` (a stream), besides hand-written JSON or YAML.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import BinaryIO

import click

from k8s2ief.cli import Command
from k8s2ief.commands.options import PathType, config_option
from k8s2ief.ief.contract import EDITIONS
from k8s2ief.load import Document, Limits, Source, iter_sources, read_source
from k8s2ief.load.split import prepended

# (where, body) for a body to check, or (where, None) after a problem already reported
# A body and where a violation in it stands: its JSON path (as keys and indexes) -> "file:line".
Where = Callable[[tuple[str | int, ...]], str]
Located = tuple[Where, object]


@click.command(cls=Command)
@click.argument("paths", nargs=-1, type=PathType(allow_dash=True))
@click.option("--edition", type=click.Choice(EDITIONS), default="professional", show_default=True)
@config_option
def validate(paths: tuple[str, ...], edition: str) -> int:
    """Check IEF request bodies (JSON or YAML; one, an array, JSON lines or a stream) against
    the API.

    Prints each violation with its JSON path and rule. Exit 0 valid, 1 invalid, 2 unreadable.
    """
    from k8s2ief.ief.validate import validate_body

    invalid = unreadable = False
    count = 0
    for source in iter_sources(paths):
        for where, body in _bodies(source):
            if isinstance(body, _Unreadable):
                click.echo(f"{where(())}: {body.message}", err=True)
                unreadable = True
                continue
            count += 1
            for violation in validate_body(body, edition=edition):
                invalid = True
                at = where(violation.parts)
                click.echo(f"{at}: {violation.path}: {violation.message} [{violation.rule}]")
    click.echo(f"k8s2ief: {count} body(ies) checked", err=True)
    if unreadable:
        return 2
    return 1 if invalid else 0


class _Unreadable:
    def __init__(self, message: str) -> None:
        self.message = message


def _bodies(source: Source) -> Iterator[Located]:
    """Each body of a source with where it stands (``file:line``, plus ``[i]`` in an array).

    The source is opened once (a pipe or stdin cannot be read twice): its first lines tell
    JSON lines from a YAML or JSON document stream, and are handed back to the reader."""
    try:
        stream = source.open()
    except OSError as exc:
        yield _at(f"{source.name}:0"), _Unreadable(f"cannot read: {exc.strerror or exc}")
        return
    with stream:
        head = b""
        while (line := stream.readline(_PEEK_BYTES)) and not line.strip():
            head += line
        head += line
        rest = prepended(head, stream)
        if line.strip().startswith(b"{") and _parses(line):
            yield from _json_lines(source.name, rest)
            return
        for doc in read_source(Source(source.name, lambda: rest), Limits()):
            if doc.error is not None:
                yield _at(f"{doc.source}:{doc.error.line}"), _Unreadable(doc.error.message)
            elif isinstance(doc.data, list):
                for index, body in enumerate(doc.data):
                    yield _in_document(doc, (index,), f" [{index}]"), body
            else:
                yield _in_document(doc, (), ""), doc.data


_PEEK_BYTES = 64 << 20  # a first line longer than this is no JSON line of a body


def _at(place: str) -> Where:
    return lambda parts: place


def _in_document(doc: Document, prefix: tuple[int, ...], suffix: str) -> Where:
    """A violation's line: the line of the body field it names (or its nearest parent)."""
    return lambda parts: f"{doc.source}:{doc.locate(prefix + parts)}{suffix}"


def _parses(line: bytes) -> bool:
    """Whether a line is a whole JSON value by itself (``-o jsonl``); pretty-printed JSON
    (``-o json``) opens with a lone ``{`` or ``[``, which is none."""
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _json_lines(name: str, stream: BinaryIO) -> Iterator[Located]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        where = _at(f"{name}:{number}")
        try:
            yield where, json.loads(raw)
        except ValueError as exc:
            reason = getattr(exc, "msg", "invalid JSON")
            yield (
                where,
                _Unreadable(f"invalid JSON line ({reason}); JSON lines hold one body per line"),
            )


@click.command(cls=Command)
@click.option(
    "--report", is_flag=True, help="The schema of the JSON report of convert and audit instead."
)
def schema(report: bool) -> int:
    """Print the JSON Schema (draft 2020-12) of the create-deployment request body."""
    if report:
        from k8s2ief.report.json_report import report_schema

        click.echo(json.dumps(report_schema(), indent=2, ensure_ascii=False))
        return 0
    from k8s2ief.ief.validate import load_schema

    click.echo(json.dumps(load_schema(), indent=2, ensure_ascii=False))
    return 0
