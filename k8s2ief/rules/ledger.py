"""The accounting that makes "no field dropped silently" hold by construction.

Rules never read the manifest directly: they read it through a ``View``, and every read that
carries a value over (``take``) or reports it (``report``) marks its path in the ``Ledger``.
After the rules ran, k8s2ief.rules.accounting walks the manifest and turns every path no rule
marked into a finding. A rule that forgets a field therefore produces a finding, not a silent loss.

Views also check types: a rule asks for a string, a list or a mapping, and a value of another
type becomes a ``wrong-type`` error instead of an exception deep inside a rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8s2ief.paths import Key, Path, render
from k8s2ief.records import FrozenRecord, MutableRecord, slot_setters

_MISSING = object()


class RawFinding(FrozenRecord):
    """A finding before it is located in a file: code, path, message."""

    __slots__ = ("code", "path", "message", "paths")  # noqa: RUF023 (the order of __init__)
    code: str
    path: Path
    message: str
    paths: tuple[str, ...]  # the fields a summary finding (KI002, KI010) stands for

    def __init__(self, code: str, path: Path, message: str, paths: tuple[str, ...] = ()) -> None:
        _set_code(self, code)
        _set_path(self, path)
        _set_message(self, message)
        _set_paths(self, paths)


_set_code, _set_path, _set_message, _set_paths = slot_setters(RawFinding)


class Ledger(MutableRecord):
    """What the rules consumed and reported for one manifest."""

    __slots__ = ("consumed", "findings", "visited", "node_ports", "origins", "body_paths")  # noqa: RUF023 (the order of __init__)
    consumed: set[Path]
    findings: list[RawFinding]
    # Mappings a rule looked into: their unread fields are reported one by one, while a
    # subtree no rule looked into is reported once, at its root.
    visited: set[Path]
    # Node ports the body binds (k8s2ief.rules.host_ports.Bound), for the run-wide clash check.
    node_ports: list
    # id of a body object -> the manifest path it was built from (k8s2ief.rules.origins).
    origins: dict[int, tuple[object, Path]]
    body_paths: dict[Path, Path]  # body path -> manifest path

    def __init__(
        self,
        consumed: set[Path] | None = None,
        findings: list[RawFinding] | None = None,
        visited: set[Path] | None = None,
        node_ports: list | None = None,
        origins: dict[int, tuple[object, Path]] | None = None,
        body_paths: dict[Path, Path] | None = None,
    ) -> None:
        self.consumed = set() if consumed is None else consumed
        self.findings = [] if findings is None else findings
        self.visited = set() if visited is None else visited
        self.node_ports = [] if node_ports is None else node_ports
        self.origins = {} if origins is None else origins
        self.body_paths = {} if body_paths is None else body_paths

    def consume(self, path: Path) -> None:
        self.consumed.add(path)

    def report(self, code: str, path: Path, message: str, *, consume: bool = True) -> None:
        """Record a finding; by default the field counts as accounted for."""
        self.findings.append(RawFinding(code, path, message))
        if consume:
            self.consumed.add(path)


class View:
    """A mapping inside the manifest, at a path, read through the ledger."""

    __slots__ = ("data", "ledger", "path")

    def __init__(self, data: dict[str, object], path: Path, ledger: Ledger) -> None:
        self.data = data
        self.path = path
        self.ledger = ledger
        ledger.visited.add(path)

    # --- looking without consuming -------------------------------------------------------
    def __contains__(self, key: str) -> bool:
        return key in self.data

    def peek(self, key: str, default: object = None) -> object:
        return self.data.get(key, default)

    def at(self, key: Key) -> Path:
        return (*self.path, key)

    # --- consuming -----------------------------------------------------------------------
    # The methods below are called a few hundred times per document: they add to the
    # ledger's sets directly rather than through ``at`` and ``Ledger.consume`` (a Python call
    # each, about a tenth of these methods' cost).
    def take(self, key: str, default: object = None) -> object:
        """The raw value, marked as carried over."""
        if key not in self.data:
            return default
        self.ledger.consumed.add((*self.path, key))
        return self.data[key]

    def consume(self, *keys: str) -> None:
        for key in keys:
            if key in self.data:
                self.ledger.consumed.add((*self.path, key))

    def report(self, key: Key, code: str, message: str) -> None:
        """Report the field at ``key`` (it counts as accounted for)."""
        self.ledger.report(code, self.at(key), message)

    def note(self, key: Key, code: str, message: str) -> None:
        """Report about a field that is (or will be) carried over; does not consume it."""
        self.ledger.report(code, self.at(key), message, consume=False)

    # --- typed access: a wrong type is reported, never raised ----------------------------
    def _typed(self, key: str, types: tuple[type, ...], what: str) -> object:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            return _MISSING
        if value is None:
            self.ledger.consumed.add((*self.path, key))  # an explicit null is "unset"
            return _MISSING
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
            self.ledger.consumed.add((*self.path, key))
            return value
        self.report(key, "KI009", f"expected {what}, found {describe(value)}; the field is ignored")
        return _MISSING

    # text and integer answer the common case (a value of the asked type) themselves, as
    # _typed would: a second call per field read was a tenth of their cost.
    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if isinstance(value, str):
            self.ledger.consumed.add((*self.path, key))
            return value
        value = self._typed(key, (str,), "a string")
        return default if value is _MISSING else value  # type: ignore[return-value]

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key)
        if type(value) is int:  # not a bool
            self.ledger.consumed.add((*self.path, key))
            return value
        value = self._typed(key, (int,), "an integer")
        return default if value is _MISSING else value  # type: ignore[return-value]

    def flag(self, key: str, default: bool | None = None) -> bool | None:
        value = self._typed(key, (bool,), "true or false")
        return default if value is _MISSING else value  # type: ignore[return-value]

    def strings(self, key: str) -> list[str] | None:
        """A list of strings; a non-string member is reported and the whole field ignored."""
        value = self.data.get(key)
        if value is None:
            self.consume(key)
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            self.ledger.consumed.add((*self.path, key))
            return value  # type: ignore[return-value]
        self.report(key, "KI009", f"expected a list of strings, found {describe(value)}")
        return None

    def child(self, key: str) -> View | None:
        """The mapping at ``key`` as a view (not consumed: its own fields are)."""
        value = self.data.get(key)
        if value is None:
            self.consume(key)
            return None
        if isinstance(value, dict):
            path = (*self.path, key)
            if not value:
                self.ledger.consumed.add(path)  # an empty mapping carries nothing
            return View(value, path, self.ledger)
        self.report(key, "KI009", f"expected a mapping, found {describe(value)}")
        return None

    def children(self, key: str) -> list[View]:
        """The list of mappings at ``key``; members of the wrong type are reported."""
        value = self.data.get(key)
        if value is None:
            self.consume(key)
            return []
        if not isinstance(value, list):
            self.report(key, "KI009", f"expected a list, found {describe(value)}")
            return []
        if not value:
            self.consume(key)
        views = []
        ledger = self.ledger
        for index, item in enumerate(value):
            path = (*self.path, key, index)
            if isinstance(item, dict):
                if not item:
                    ledger.consumed.add(path)
                views.append(View(item, path, ledger))
            else:
                self.ledger.report(
                    "KI009", path, f"expected a mapping, found {describe(item)}; entry ignored"
                )
        return views

    def items(self, key: str) -> Iterator[tuple[str, object, Path]]:
        """Key/value pairs of a plain map (labels, annotations), not consumed."""
        value = self.data.get(key)
        if not value:
            self.consume(key)  # null or {} carries nothing
        elif isinstance(value, dict):
            for name, item in value.items():
                yield name, item, (*self.path, key, name)
        else:
            self.report(key, "KI009", f"expected a mapping, found {describe(value)}")

    def where(self) -> str:
        return render(self.path)


def describe(value: object) -> str:
    """A short, safe description of a value for messages (never the whole value)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {shorten(value)!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def shorten(text: str, limit: int = 40) -> str:
    """Long values are cut in messages: reports must stay readable and not leak whole values."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
