"""Record classes that cost next to nothing to define.

A dataclass is cheap to use but dear to define: the decorator writes and compiles ``__init__``,
``__eq__``, ``__repr__`` (and, frozen, ``__setattr__`` and ``__hash__``) at import, 0.3-0.7 ms a
class, and the convert path once defined about thirty of them before reading a document. Records
are plain classes with ``__slots__`` (smaller and faster to read than a ``__dict__``) and a
hand-written ``__init__`` whose parameters are the slots, in order. This base gives them, from
``__slots__`` at call time rather than generated code, what the decorator used to: equality and
hashing over every field, a repr, pickling as a plain constructor call (workers send results and
findings between processes), and ``replace()``, which runs ``__init__`` again so that a record's
checks hold for the copy too.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")

# Frozen records set their fields through object's own __setattr__, past their guard.
set_field = object.__setattr__


def slot_setters(cls: type) -> tuple[Any, ...]:
    """The setters of a record class's own slots, in ``__slots__`` order.

    For the records made by the dozen per document (findings): a slot's own setter writes the
    field past a frozen record's guard as ``set_field`` does, without looking the name up first
    (a 7-field finding is built in about half the time).
    """
    return tuple(cls.__dict__[name].__set__ for name in cls.__slots__)


class Record:
    """Base of the slotted records: fields are ``__slots__``, in ``__init__``'s order."""

    __slots__ = ()
    # Fields the repr leaves out (node trees, caches): they would flood a test's failure output.
    _hidden: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in self._hidden
        )
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[type[Any], tuple[Any, ...]]:
        return (self.__class__, self._values())

    def replace(self: R, **changes: Any) -> R:
        """A copy with ``changes`` (an unknown field is a TypeError), built by ``__init__``."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return self.__class__(**values)


class FrozenRecord(Record):
    """A record whose fields cannot be assigned after ``__init__`` (which uses ``set_field``)."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


class MutableRecord(Record):
    """A record whose fields may change: equal by value, but not hashable (as a dataclass)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
