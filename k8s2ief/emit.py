"""Writing bodies: to stdout as JSON, JSON Lines or YAML, or one file per deployment.

stdout carries data only; everything about the data goes to the report on stderr.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
from collections.abc import Callable
from typing import IO, Protocol

FORMATS = ("json", "jsonl", "yaml")


class BodyWriter(Protocol):
    def write(self, body: dict[str, object], name: str | None) -> None: ...
    def close(self) -> None: ...


def dumps(body: object, indent: int | None = 2) -> str:
    if indent is None:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(body, ensure_ascii=False, indent=indent)


class JsonWriter:
    """One body: the body itself. Zero or several: a JSON array, streamed as bodies arrive."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self._first: str | None = None

    def write(self, body: dict[str, object], name: str | None) -> None:
        text = dumps(body)
        self.count += 1
        if self.count == 1:
            self._first = text  # held back: it is printed bare if it stays the only one
            return
        if self.count == 2:
            self.out.write("[\n" + _indent(self._first or "") + ",\n")
        else:
            self.out.write(",\n")
        self.out.write(_indent(text))
        self.out.flush()

    def close(self) -> None:
        if self.count == 0:
            self.out.write("[]\n")
        elif self.count == 1:
            self.out.write((self._first or "") + "\n")
        else:
            self.out.write("\n]\n")
        self.out.flush()


def _indent(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


class JsonLinesWriter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, body: dict[str, object], name: str | None) -> None:
        self.out.write(dumps(body, indent=None) + "\n")

    def close(self) -> None:
        self.out.flush()


class YamlWriter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0

    def write(self, body: dict[str, object], name: str | None) -> None:
        import yaml

        if self.count:
            self.out.write("---\n")
        self.out.write(yaml.dump(body, Dumper=_dumper(), sort_keys=False, allow_unicode=True))
        self.count += 1

    def close(self) -> None:
        self.out.flush()


@functools.cache
def _dumper() -> type:
    """PyYAML's safe dumper, quoting the strings Kubernetes' rules would read as something else
    (``n``, ``y``, ``on``: booleans there, not in PyYAML), so that -o yaml reads back as written."""
    import yaml

    from k8s2ief.load.scalars import resolve_plain

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        try:
            plain = resolve_plain(value) == value
        except ValueError:  # .inf, .nan: not JSON values when plain
            plain = False
        if plain:
            return dumper.represent_str(value)
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')

    dumper = type("KubernetesSafeDumper", (base,), {})
    dumper.add_representer(str, represent_str)
    return dumper


class OutputDirError(Exception):
    """A body could not be written; other bodies still are."""


class DirectoryWriter:
    """``<name>.json`` per deployment, written atomically; existing files kept unless forced."""

    def __init__(self, directory: str, *, force: bool, on_error: Callable[[str], None]) -> None:
        self.directory = directory
        self.force = force
        self.on_error = on_error
        self.written: list[str] = []
        if not os.path.isdir(directory):
            problem = "is not a directory" if os.path.exists(directory) else "does not exist"
            raise OutputDirError(f"output directory {directory} {problem}")
        if not os.access(directory, os.W_OK):
            raise OutputDirError(f"output directory {directory} is not writable")

    def write(self, body: dict[str, object], name: str | None) -> None:
        filename = f"{name or 'deployment-' + str(len(self.written) + 1)}.json"
        target = os.path.join(self.directory, filename)
        if os.path.exists(target) and not self.force:
            self.on_error(f"{target} exists and was kept (use --force to replace it)")
            return
        try:
            write_atomically(target, dumps(body) + "\n")
        except OSError as exc:
            self.on_error(f"cannot write {target}: {exc.strerror or exc}")
            return
        self.written.append(target)

    def close(self) -> None:
        pass


def write_atomically(path: str, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it: readers never see half a file,
    and a failure leaves the old file as it was."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".k8s2ief-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def stream_writer(fmt: str, out: IO[str]) -> BodyWriter:
    writers: dict[str, Callable[[IO[str]], BodyWriter]] = {
        "json": JsonWriter,
        "jsonl": JsonLinesWriter,
        "yaml": YamlWriter,
    }
    return writers[fmt](out)
