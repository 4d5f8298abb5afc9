"""Writing bodies: to stdout as JSON, JSON Lines or YAML, or one file per deployment.

stdout carries data only; everything about the data goes to the report on stderr.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import IO, Protocol

from k8s2ief.patterns import lazy

FORMATS = ("json", "jsonl", "yaml")


class BodyWriter(Protocol):
    def write(self, body: dict[str, object], name: str | None, where: str = "") -> None: ...
    def write_encoded(self, text: str, name: str | None, where: str = "") -> None: ...
    def close(self) -> None: ...


Encoder = Callable[[object], str]


def dumps(body: object, indent: int | None = 2) -> str:
    # No cycle check: a body is a fresh tree (k8s2ief.rules.origins.finish_body copies every
    # container, which a cycle would not have survived), and the check cost a sixth of the
    # encoding, which convert does for every body.
    if indent is None:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), check_circular=False)
    if indent == 2:
        parts: list[str] = []
        try:
            _indented(body, parts.append, "\n")
        except _Unusual:
            pass
        else:
            return "".join(parts)
    return json.dumps(body, ensure_ascii=False, indent=indent, check_circular=False)


class _Unusual(Exception):
    """A value _indented leaves to json.dumps (a subclass, a tuple, a key that is no str)."""


_string = json.encoder.encode_basestring  # the C function json.dumps(ensure_ascii=False) uses
_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}
_SCALARS: dict[object, str] = {True: "true", False: "false", None: "null"}


def _indented(value: object, out: Callable[[str], object], newline: str) -> None:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` written into ``out`` piece by piece.

    The standard library writes indented JSON with its pure-Python encoder (its C encoder is
    for compact output only), a generator per container: this is the same text, written
    directly, in about a third of the instructions (-o json is convert's default). Values of
    other types than JSON's own raise _Unusual, and json.dumps writes the whole body instead.
    """
    kind = type(value)
    if kind is str:
        out(_string(value))
    elif kind is dict:
        if not value:
            out("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise _Unusual
            out(separator)
            out(_string(key))
            out(": ")
            _indented(item, out, inner)
            separator = "," + inner
        out(newline + "}")
    elif kind is list:
        if not value:
            out("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:  # type: ignore[attr-defined]
            out(separator)
            _indented(item, out, inner)
            separator = "," + inner
        out(newline + "]")
    elif kind is int:
        out(int.__repr__(value))  # type: ignore[arg-type]
    elif kind is bool or value is None:
        out(_SCALARS[value])
    elif kind is float:
        if value != value:  # NaN
            out("NaN")
        else:
            out(_FLOATS.get(value) or float.__repr__(value))  # type: ignore[arg-type]
    else:
        raise _Unusual


def encode_json(body: object) -> str:
    return dumps(body)


def encode_json_line(body: object) -> str:
    return dumps(body, indent=None) + "\n"


def encode_json_file(body: object) -> str:
    return dumps(body) + "\n"


def encode_yaml(body: object) -> str:
    return _yaml(body)


def body_encoder(fmt: str, to_directory: bool = False) -> Encoder:
    """How the writer of ``fmt`` (on stdout, or one file per body) encodes each body.

    Encoding is apart from writing so that the worker processes of a large convert encode the
    bodies they convert (k8s2ief.rendered), and the writer only writes (``write_encoded``)."""
    if to_directory:
        return encode_yaml if fmt == "yaml" else encode_json_file
    return _STREAM_ENCODERS[fmt]


_STREAM_ENCODERS: dict[str, Encoder] = {
    "json": encode_json,
    "jsonl": encode_json_line,
    "yaml": encode_yaml,
}


class _Writer:
    encode: Encoder

    def write(self, body: dict[str, object], name: str | None, where: str = "") -> None:
        self.write_encoded(self.encode(body), name, where)

    def write_encoded(self, text: str, name: str | None, where: str = "") -> None:
        raise NotImplementedError


class JsonWriter(_Writer):
    """One body: the body itself. Zero or several: a JSON array, streamed as bodies arrive."""

    encode = staticmethod(encode_json)

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self._first: str | None = None

    def write_encoded(self, text: str, name: str | None, where: str = "") -> None:
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


def _yaml(body: object) -> str:
    import yaml

    return yaml.dump(body, Dumper=_dumper(), sort_keys=False, allow_unicode=True)


def _indent(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


class JsonLinesWriter(_Writer):
    encode = staticmethod(encode_json_line)

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write_encoded(self, text: str, name: str | None, where: str = "") -> None:
        self.out.write(text)

    def close(self) -> None:
        self.out.flush()


class YamlWriter(_Writer):
    encode = staticmethod(encode_yaml)

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0

    def write_encoded(self, text: str, name: str | None, where: str = "") -> None:
        if self.count:
            self.out.write("---\n")
        self.out.write(text)
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
    """The output directory cannot be used (nothing is written)."""


# A body's file name is its deployment's name; one that is not a plain file name (a path
# separator, "..", a NUL, a leading dot, control characters, too long) could land outside the
# folder or nowhere, so such a body is refused, alone, with a one-line error.
_SAFE_NAME = lazy(r"[A-Za-z0-9][A-Za-z0-9._-]{0,239}")
SUFFIXES = {"json": ".json", "jsonl": ".json", "yaml": ".yaml"}


class DirectoryWriter(_Writer):
    """``<name>.json`` (``.yaml`` with ``-o yaml``) per deployment, one body per file, written by
    k8s2ief.outfiles' rule; files that existed before the run are kept unless forced."""

    def __init__(
        self, directory: str, *, force: bool, on_error: Callable[[str], None], fmt: str = "json"
    ) -> None:
        self.directory = directory
        self.force = force
        self.on_error = on_error
        self.fmt = fmt
        self.encode = body_encoder(fmt, to_directory=True)
        self.written: list[str] = []
        self._claimed: dict[str, bool] = {}  # file name -> whether this run wrote it
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise OutputDirError(f"output directory {directory} is not a directory")
        try:
            os.makedirs(directory, exist_ok=True)  # as kompose does; the umask decides its mode
        except OSError as exc:
            raise OutputDirError(
                f"cannot create output directory {directory}: {exc.strerror or exc}"
            ) from None
        if not os.access(directory, os.W_OK):
            raise OutputDirError(f"output directory {directory} is not writable")

    def write_encoded(self, text: str, name: str | None, where: str = "") -> None:
        stem = name or f"deployment-{len(self._claimed) + 1}"
        at = f"{where}: " if where else ""
        if not _SAFE_NAME.fullmatch(stem):
            self.on_error(
                f"{at}body of deployment {_shown(stem)} not written: its name is not a plain file "
                "name (letters, digits, '.', '-', '_', at most 240 characters)"
            )
            return
        filename = stem + SUFFIXES[self.fmt]
        target = os.path.join(self.directory, filename)
        if filename in self._claimed:
            first = "is in" if self._claimed[filename] else "was not written to"
            self.on_error(
                f"{at}body of deployment {stem} not written: a deployment of the same name came "
                f"earlier in this input (its body {first} {target})"
            )
            return
        self._claimed[filename] = False
        if os.path.lexists(target) and not self.force:
            self.on_error(
                f"{target} exists from before this run and was kept (--force replaces it)"
            )
            return
        from k8s2ief.outfiles import write_file  # only --output-dir writes files

        try:
            write_file(target, text)
        except OSError as exc:
            self.on_error(f"cannot write {target}: {exc.strerror or exc}")
            return
        self._claimed[filename] = True
        self.written.append(target)

    def close(self) -> None:
        pass


def _shown(name: str) -> str:
    """A name quoted in a message: escaped (NUL, newlines) and cut, so it stays one line."""
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."


def stream_writer(fmt: str, out: IO[str]) -> BodyWriter:
    writers: dict[str, Callable[[IO[str]], BodyWriter]] = {
        "json": JsonWriter,
        "jsonl": JsonLinesWriter,
        "yaml": YamlWriter,
    }
    return writers[fmt](out)
