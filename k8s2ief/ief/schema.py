"""The JSON Schema of the create-deployment body, and the interpreter that is its reference.

The schema (k8s2ief/schemas/create-deployment.schema.json, generated from the IEF contract by
scripts/gen_schema.py) says types, required fields, enums, patterns, lengths and ranges. It is
applied by our own code instead of by the ``jsonschema`` package, whose import alone costs about
100 ms of CLI start-up. This interpreter knows exactly the keywords the schema uses and refuses
to compile any other, so a schema edit cannot be silently ignored; tests/test_validate.py proves
it agrees with ``jsonschema``'s Draft 2020-12 validator. Conversions do not run it: they run the
same checks as generated code (k8s2ief/ief/schema_checks.py, by scripts/gen_validator.py from
this module's tables), which tests/test_schema_checks.py proves reports exactly what this
interpreter reports, so that no conversion reads or compiles the schema.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from typing import Any, NamedTuple

from k8s2ief.ief.violation import (
    Path,
    Violation,
    json_equal,
    json_type,
    schema_violation,
    short,
    unknown_fields,
)

_Path = Path


def load_schema() -> dict[str, object]:
    """The packaged JSON Schema, freshly parsed (callers may change their copy)."""
    schema: dict[str, object] = json.loads(_schema_text())
    return schema


@lru_cache(maxsize=1)
def _schema_text() -> str:
    from k8s2ief.packaged import read_text

    return read_text("schemas", "create-deployment.schema.json")


_Check = Callable[[object, _Path, list[Violation]], None]
_Schema = dict[str, object]

# Keywords that only annotate; everything else must be understood or compilation fails.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)


@lru_cache(maxsize=1)
def compiled_schema() -> _Check:
    """The packaged schema as one check, compiled once."""
    schema = load_schema()
    return _SchemaCompiler(schema).compile(schema)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Types as the API's Go types read JSON: bool is not a number, and an integer field takes no
# float, not even 1.0 (Go's json decoder refuses 1.0 for an int; Draft 2020-12 would accept it,
# so tests/test_validate.py compares with a jsonschema checker redefined the same way).
_TYPE_TESTS: Mapping[str, Callable[[object], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and not isinstance(v, float),
}


class _SchemaCompiler:
    """Turns the schema into nested closures once, so that validating runs only plain checks."""

    def __init__(self, root: Mapping[str, object]) -> None:
        self._root = root
        self._refs: dict[str, _Check] = {}

    def compile(self, schema: object) -> _Check:
        if not isinstance(schema, dict):
            raise ValueError(f"unsupported schema {schema!r}: only object schemas are used")
        hint = _description(schema)
        checks: list[_Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else"):
                continue  # "then"/"else" are compiled with their "if"
            if keyword in _BOUNDS:
                checks.append(_bound_check(_BOUNDS[keyword], keyword, value, hint))
                continue
            build = self._KEYWORDS.get(keyword)
            if build is None:
                raise ValueError(f"schema keyword {keyword!r} is not supported by this interpreter")
            checks.append(build(self, value, schema, hint))
        if len(checks) == 1:
            return checks[0]

        def check_all(instance: object, path: _Path, out: list[Violation]) -> None:
            for check in checks:
                check(instance, path, out)

        return check_all

    # Each builder gets the keyword's value, the whole schema object (for keywords that depend on
    # siblings) and the schema's description, which messages quote as what the API expects.

    def _type(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        names = [value] if isinstance(value, str) else [str(name) for name in _as_list(value)]
        tests = [_TYPE_TESTS[name] for name in names]
        wanted = " or ".join(names)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if not any(test(instance) for test in tests):
                got = json_type(instance)
                out.append(schema_violation(path, "type", f"expected {wanted}, got {got}", hint))

        return check

    def _properties(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        props = {name: self.compile(sub) for name, sub in _as_dict(value).items()}

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, dict):
                for key, item in instance.items():
                    sub = props.get(key)
                    if sub is not None:
                        sub(item, (*path, key), out)

        return check

    def _required(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        # The missing field's own description says more than its parent's.
        properties = _as_dict(schema.get("properties", {}))
        hints = {str(name): _description(properties.get(str(name), {})) for name in _as_list(value)}

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, dict):
                for name, field_hint in hints.items():
                    if name not in instance:
                        msg = f"missing required field {name!r}"
                        out.append(schema_violation(path, "required", msg, field_hint))

        return check

    def _additional_properties(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        known = frozenset(_as_dict(schema.get("properties", {})))
        allowed = ", ".join(_as_dict(schema.get("properties", {}))) or "none"
        if value is False:

            def reject(instance: object, path: _Path, out: list[Violation]) -> None:
                if isinstance(instance, dict) and not instance.keys() <= known:
                    out.append(unknown_fields(path, instance, known, allowed))

            return reject
        sub = self.compile(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, dict):
                for key, item in instance.items():
                    if key not in known:
                        sub(item, (*path, key), out)

        return check

    def _items(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        sub = self.compile(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, list):
                for index, item in enumerate(instance):
                    sub(item, (*path, index), out)

        return check

    def _enum(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        options = list(_as_list(value))
        listed = ", ".join(short(option) for option in options)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if not any(json_equal(instance, option) for option in options):
                msg = f"{short(instance)} is not one of {listed}"
                out.append(schema_violation(path, "enum", msg, hint))

        return check

    def _const(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if not json_equal(instance, value):
                msg = f"{short(instance)} must be {short(value)}"
                out.append(schema_violation(path, "const", msg, hint))

        return check

    def _pattern(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        regex = compiled_pattern(str(value))

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            # search, not match: JSON Schema patterns are unanchored unless they say ^ and $.
            if isinstance(instance, str) and regex.search(instance) is None:
                msg = f"{short(instance)} does not match {regex.pattern}"
                out.append(schema_violation(path, "pattern", msg, hint))

        return check

    def _ref(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        ref = str(value)
        if ref not in self._refs:
            # Register a forwarder before compiling the target so that a recursive $ref ends.
            target: list[_Check] = []
            self._refs[ref] = lambda instance, path, out: target[0](instance, path, out)
            target.append(self.compile(self._resolve(ref)))
            self._refs[ref] = target[0]
        return self._refs[ref]

    def _all_of(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        subs = [self.compile(sub) for sub in _as_list(value)]

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            for sub in subs:
                sub(instance, path, out)

        return check

    def _if(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        condition = self.compile(value)
        then = self.compile(schema["then"]) if "then" in schema else None
        otherwise = self.compile(schema["else"]) if "else" in schema else None

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            scratch: list[Violation] = []
            condition(instance, path, scratch)
            branch = otherwise if scratch else then
            if branch is not None:
                branch(instance, path, out)

        return check

    def _resolve(self, ref: str) -> object:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported, not {ref!r}")
        node: object = self._root
        for token in ref[2:].split("/"):
            node = _as_dict(node)[token.replace("~1", "/").replace("~0", "~")]
        return node

    _KEYWORDS: Mapping[str, Callable[[_SchemaCompiler, object, _Schema, str | None], _Check]] = {
        "type": _type,
        "properties": _properties,
        "required": _required,
        "additionalProperties": _additional_properties,
        "items": _items,
        "enum": _enum,
        "const": _const,
        "pattern": _pattern,
        "$ref": _ref,
        "allOf": _all_of,
        "if": _if,
    }


class _Bound(NamedTuple):
    """A keyword that bounds a measure of a value: a string's length, a number, an array's size.

    The generator of the compiled checks (scripts/gen_validator.py) reads the same table.
    """

    applies_to: str  # the JSON type bounded; other types are the "type" keyword's to report
    by_length: bool  # the value's length or size (an integer limit), else the number itself
    is_minimum: bool  # a measure below the limit breaks it, else one above it
    message: str  # formatted with the measure and the limit


_BOUNDS: Mapping[str, _Bound] = {
    "minLength": _Bound("string", True, True, "{} characters, fewer than {}"),
    "maxLength": _Bound("string", True, False, "{} characters, more than {}"),
    "minimum": _Bound("number", False, True, "{} is below the minimum {}"),
    "maximum": _Bound("number", False, False, "{} is above the maximum {}"),
    "minItems": _Bound("array", True, True, "{} items, fewer than {}"),
    "maxItems": _Bound("array", True, False, "{} items, more than {}"),
}


def bound_limit(bound: _Bound, value: object) -> int | float:
    """The keyword's limit, checked: lengths and sizes are integers, minimum/maximum any number."""
    return _as_int(value) if bound.by_length else _as_number(value)


def _itself(value: object) -> object:
    return value


def _bound_check(bound: _Bound, keyword: str, value: object, hint: str | None) -> _Check:
    limit = bound_limit(bound, value)
    applies = _TYPE_TESTS[bound.applies_to]
    measure: Callable[[Any], int | float] = len if bound.by_length else _itself  # type: ignore[assignment]
    beyond = operator.lt if bound.is_minimum else operator.gt

    def check(instance: object, path: _Path, out: list[Violation]) -> None:
        if applies(instance):
            measured = measure(instance)
            if beyond(measured, limit):
                message = bound.message.format(measured, limit)
                out.append(schema_violation(path, keyword, message, hint))

    return check


@cache
def compiled_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _description(schema: object) -> str | None:
    description = schema.get("description") if isinstance(schema, dict) else None
    return description if isinstance(description, str) else None


def _as_dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"schema error: expected an object, got {value!r}")
    return value


def _as_list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"schema error: expected an array, got {value!r}")
    return value


def _as_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"schema error: expected an integer, got {value!r}")
    return value


def _as_number(value: object) -> int | float:
    if not _is_number(value):
        raise ValueError(f"schema error: expected a number, got {value!r}")
    return value  # type: ignore[return-value]
