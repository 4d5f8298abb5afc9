"""Write k8s2ief/ief/schema_checks.py: the JSON Schema's checks as plain Python code.

Usage: python scripts/gen_validator.py
(tests/test_schema_checks.py checks that the committed module is what this writes, and that it
reports what the schema interpreter, k8s2ief/ief/schema.py, reports: the same violations, with
the same messages, in the same order)

Every ``k8s2ief convert`` validates the bodies it makes. Interpreting the schema meant reading
and compiling it into closures on the first body, then a closure call per keyword and per value.
The generated module is straight-line code: one function per object definition of the schema
(definitions of a single value are written in place), type tests written out, and a violation's
message built only when a check fails. It follows the interpreter keyword by keyword, in the
schema's order, and accepts only the keywords the interpreter knows. The statement tree it
prints and the module's fixed parts live in scripts/validator_source.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _where in (ROOT, ROOT / "scripts"):
    if str(_where) not in sys.path:
        sys.path.insert(0, str(_where))

from validator_source import (  # noqa: E402
    _FAILURES,
    _HEADER,
    _PATTERNS,
    _For,
    _if,
    _literal,
    _negate,
    _Node,
    _path,
    _render,
    _snake,
    _tuple,
    anchored_inner,
)

from k8s2ief.ief import schema as interpreter  # noqa: E402

MODULE = ROOT / "k8s2ief" / "ief" / "schema_checks.py"
SCHEMA = ROOT / "k8s2ief" / "schemas" / "create-deployment.schema.json"

_Schema = dict[str, object]

# A Python test per JSON type, as the interpreter's _TYPE_TESTS read values ({0} is the value).
_TYPE_TESTS = {
    "object": "isinstance({0}, dict)",
    "array": "isinstance({0}, list)",
    "string": "isinstance({0}, str)",
    "boolean": "isinstance({0}, bool)",
    "null": "{0} is None",
    "number": "(isinstance({0}, (int, float)) and not isinstance({0}, bool))",
    "integer": "(isinstance({0}, int) and not isinstance({0}, bool))",
}
# The JSON type a keyword is about (its guard): on values of other types it checks nothing.
_GUARDS = {
    "properties": "object",
    "required": "object",
    "additionalProperties": "object",
    "items": "array",
    "pattern": "string",
    **{keyword: bound.applies_to for keyword, bound in interpreter._BOUNDS.items()},
}
# Keywords that make a definition more than a check of one value: those get a function each.
_NOT_LEAF = frozenset({"$ref", "properties", "items", "additionalProperties", "allOf", "if"})


# --- what the value is known to be -----------------------------------------------------------
# None: nothing; "integer": of that JSON type; "!object": not of that type.


def _holds(known: str | None, guard: str) -> bool:
    """Whether a value known as ``known`` is always of type ``guard`` (an integer is a number)."""
    return known == guard or (known == "integer" and guard == "number")


def _excluded(known: str | None, guard: str) -> bool:
    """Whether a value known as ``known`` is never of type ``guard``."""
    if known is None:
        return False
    if known.startswith("!"):
        return known[1:] == guard or (known == "!number" and guard == "integer")
    return not _holds(known, guard) and not (known == "number" and guard == "integer")


# --- the generator ---------------------------------------------------------------------------


class _Generator:
    def __init__(self, root: _Schema) -> None:
        self.root = root
        self.functions: dict[str, list[str]] = {}  # $ref -> the function's lines
        self.names: dict[str, str] = {}  # $ref -> function name
        self.failures: list[tuple[str, str, str, str, str | None]] = []
        self.constants: dict[str, str] = {}  # Python literal -> constant name
        self.patterns: list[str] = []
        self.loops = 0  # loop variables made so far, for unique names

    def failure(
        self, parts: str, value: str, keyword: str, kind: str, text: tuple[str, str], hint: object
    ) -> str:
        """A statement reporting one failure: its wording goes to the module's table."""
        entry = (keyword, kind, text[0], text[1], hint if isinstance(hint, str) else None)
        if entry not in self.failures:
            self.failures.append(entry)
        return f"_fail(out, {parts}, {value}, {self.failures.index(entry)})"

    def constant(self, literal: str, prefix: str) -> str:
        if literal not in self.constants:
            self.constants[literal] = f"_{prefix}{len(self.constants)}"
        return self.constants[literal]

    def mismatch(self, regex: str, var: str) -> str:
        """A test that ``re.search(regex, var)`` finds nothing.

        A pattern anchored at both ends (``^P$``) is tested as ``P`` with ``fullmatch``, also
        on the value without a final newline (where ``$`` matches too): the converter's rules
        compile the same ``P`` from the contract, so the compiled pattern is shared (``re``
        caches it) instead of compiled twice. tests/test_schema_checks.py checks both readings
        agree on every pattern of the schema.
        """
        inner = anchored_inner(regex)
        source = regex if inner is None else inner
        if source not in self.patterns:
            self.patterns.append(source)
        index = self.patterns.index(source)
        compiled = f"(_RE[{index}] or _compile({index}))"
        if inner is None:
            return f"{compiled}.search({var}) is None"
        return (
            f"{compiled}.fullmatch({var}) is None"
            f' and ({var}[-1:] != "\\n" or _RE[{index}].fullmatch({var}[:-1]) is None)'
        )

    def function(self, ref: str) -> str:
        """The function checking the definition ``ref``, generated once (recursion allowed)."""
        if ref not in self.names:
            self.names[ref] = name = "_" + _snake(ref.rsplit("/", 1)[-1])
            body = self.block(self.resolve(ref), "v", [], None)
            self.functions[ref] = [
                f"def {name}(v: Any, path: Path, out: list[Violation]) -> None:",
                *(_render(body, 1) if body else ["    pass"]),
            ]
        return self.names[ref]

    def resolve(self, ref: str) -> _Schema:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported, not {ref!r}")
        node: object = self.root
        for token in ref[2:].split("/"):
            node = interpreter._as_dict(node)[token.replace("~1", "/").replace("~0", "~")]
        return interpreter._as_dict(node)

    # --- exact checks ----------------------------------------------------------------------------

    def block(self, schema: object, var: str, path: list[str], known: str | None) -> list[_Node]:
        """Statements appending to ``out`` what the interpreter would for ``schema`` on the
        value ``var``, at ``path`` (Python expressions after ``path``), known as ``known``."""
        if not isinstance(schema, dict):
            raise ValueError(f"unsupported schema {schema!r}: only object schemas are used")
        pieces: list[tuple[str, object]] = []
        for keyword, value in schema.items():
            if keyword in interpreter._ANNOTATIONS or keyword in ("then", "else"):
                continue  # "then"/"else" are checked with their "if"
            if keyword not in interpreter._BOUNDS and keyword not in _KEYWORDS:
                raise ValueError(f"schema keyword {keyword!r} is not supported by this generator")
            pieces.append((keyword, value))
        return self._pieces(pieces, schema, var, path, known)

    def _pieces(
        self,
        pieces: list[tuple[str, object]],
        schema: _Schema,
        var: str,
        path: list[str],
        known: str | None,
    ) -> list[_Node]:
        nodes: list[_Node] = []
        index = 0
        while index < len(pieces):
            keyword, value = pieces[index]
            guard = _GUARDS.get(keyword)
            if keyword == "type" and isinstance(value, str) and known is None:
                # Test the type once; the keywords after it are written knowing the answer.
                rest = pieces[index + 1 :]
                hint = interpreter._description(schema)
                text = (f"expected {value}, got ", "")
                failed = self.failure(_path(path), var, "type", "type", text, hint)
                then = self._pieces(rest, schema, var, path, value)
                otherwise = [failed, *self._pieces(rest, schema, var, path, "!" + value)]
                return nodes + _if(_TYPE_TESTS[value].format(var), then, otherwise)
            if guard is None or _holds(known, guard):
                nodes += _KEYWORDS[keyword](self, value, schema, var, path, known)
            elif not _excluded(known, guard):
                # Consecutive keywords about the same type share one test of it.
                inner: list[_Node] = []
                while True:
                    inner += _KEYWORDS[keyword](self, value, schema, var, path, guard)
                    if index + 1 == len(pieces) or _GUARDS.get(pieces[index + 1][0]) != guard:
                        break
                    index += 1
                    keyword, value = pieces[index]
                nodes += _if(_TYPE_TESTS[guard].format(var), inner)
            index += 1
        return nodes

    # Each keyword's statements, written knowing that its guard type holds.

    def _type(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        names = [value] if isinstance(value, str) else [str(n) for n in interpreter._as_list(value)]
        if any(_holds(known, name) for name in names):
            return []
        test = " or ".join(_TYPE_TESTS[name].format(var) for name in names)
        test = f"({test})" if len(names) > 1 else test
        text = (f"expected {' or '.join(names)}, got ", "")
        hint = interpreter._description(schema)
        return _if(_negate(test), [self.failure(_path(path), var, "type", "type", text, hint)])

    def _bound(
        self, keyword: str, value: object, schema: _Schema, var: str, path: list[str]
    ) -> list[_Node]:
        bound = interpreter._BOUNDS[keyword]
        limit = interpreter.bound_limit(bound, value)
        measure = f"len({var})" if bound.by_length else var
        before, after = bound.message.split("{}", 1)
        text = (before, after.format(limit))
        kind = "length" if bound.by_length else "number"
        hint = interpreter._description(schema)
        fail = self.failure(_path(path), var, keyword, kind, text, hint)
        return _if(f"{measure} {'<' if bound.is_minimum else '>'} {limit!r}", [fail])

    def _pattern(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        regex = str(value)
        text = ("", f" does not match {regex}")
        fail = self.failure(_path(path), var, "pattern", "value", text, _hint(schema))
        return _if(self.mismatch(regex, var), [fail])

    def _enum(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        options = interpreter._as_list(value)
        text = ("", " is not one of " + ", ".join(interpreter.short(o) for o in options))
        fail = self.failure(_path(path), var, "enum", "value", text, _hint(schema))
        return _if(_negate(self.equal(options, var, known)), [fail])

    def _const(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        text = ("", f" must be {interpreter.short(value)}")
        fail = self.failure(_path(path), var, "const", "value", text, _hint(schema))
        return _if(_negate(self.equal([value], var, known)), [fail])

    def _required(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        # The missing field's own description says more than its parent's.
        properties = interpreter._as_dict(schema.get("properties", {}))
        nodes: list[_Node] = []
        for name in interpreter._as_list(value):
            hint = interpreter._description(properties.get(str(name), {}))
            text = (f"missing required field {str(name)!r}", "")
            fail = self.failure(_path(path), "None", "required", "fixed", text, hint)
            nodes += _if(f"{json.dumps(str(name))} not in {var}", [fail])
        return nodes

    def _properties(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        properties = interpreter._as_dict(value)
        key, item = self.loop_names()
        checks = []
        for name, sub_schema in properties.items():
            sub = self.block(sub_schema, item, [*path, json.dumps(name)], None)
            if sub:
                checks.append((name, sub))
        if len(checks) == 1:
            # One property with checks: a lookup finds it (violations have one order anyway).
            name, sub = checks[0]
            return _if(
                f"{json.dumps(name)} in {var}", [f"{item} = {var}[{json.dumps(name)}]", *sub]
            )
        # The interpreter walks the value's keys in their order, so violations come in that
        # order too: each key is tested against the property names.
        chain: list[_Node] = []
        for name, sub in reversed(checks):
            chain = _if(f"{key} == {json.dumps(name)}", sub, chain)
        return [_For(f"{key}, {item} in {var}.items()", chain)] if chain else []

    def _additional(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        properties = interpreter._as_dict(schema.get("properties", {}))
        names = self.constant("frozenset(" + _tuple(sorted(properties)) + ")", "KNOWN")
        if value is False:
            allowed = self.constant(_literal(", ".join(properties) or "none"), "ALLOWED")
            call = f"out.append(unknown_fields({_path(path)}, {var}, {names}, {allowed}))"
            return _if(f"not {var}.keys() <= {names}", [call])
        key, item = self.loop_names()
        sub = self.block(value, item, [*path, key], None)
        test = f"{key} not in {names}" if properties else "True"
        body = _if(test, sub) if test != "True" else sub
        return [_For(f"{key}, {item} in {var}.items()", body)] if body else []

    def _items(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        index, item = self.loop_names("i")
        sub = self.block(value, item, [*path, index], None)
        return [_For(f"{index}, {item} in enumerate({var})", sub)] if sub else []

    def _ref(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        target = self.resolve(str(value))
        if _NOT_LEAF.isdisjoint(target):
            return self.block(target, var, path, known)  # one value's checks, in place
        return [f"{self.function(str(value))}({var}, {_path(path)}, out)"]

    def _all_of(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        nodes: list[_Node] = []
        for sub in interpreter._as_list(value):
            nodes += self.block(sub, var, path, known)
        return nodes

    def _if_keyword(
        self, value: object, schema: _Schema, var: str, path: list[str], known: str | None
    ) -> list[_Node]:
        then = self.block(schema["then"], var, path, known) if "then" in schema else []
        otherwise = self.block(schema["else"], var, path, known) if "else" in schema else []
        if not then and not otherwise:
            return []  # the condition has no effect of its own
        return _if(self.condition(value, var, known), then, otherwise)

    def loop_names(self, prefix: str = "k") -> tuple[str, str]:
        self.loops += 1
        return f"{prefix}{self.loops}", f"x{self.loops}"

    def equal(self, options: list[object], var: str, known: str | None) -> str:
        """A test that ``var`` is JSON-equal to one of ``options``."""
        if known == "!string" and all(isinstance(option, str) for option in options):
            return "False"  # not a string, so equal to none of them
        if all(isinstance(option, str) for option in options):
            # A string is JSON-equal only to an equal string.
            if len(options) == 1:
                test = f"{var} == {json.dumps(options[0])}"
            else:
                test = f"{var} in {self.constant(_tuple(options), 'OPTIONS')}"
            return test if known == "string" else f"(isinstance({var}, str) and {test})"
        if options in ([True], [False]):
            return f"{var} is {options[0]!r}"  # JSON-equal to a boolean: that boolean only
        literal = self.constant(_tuple(options), "OPTIONS")
        return f"any(json_equal({var}, option) for option in {literal})"

    # --- conditions (the "if" keyword) -----------------------------------------------------------

    def condition(self, schema: object, var: str, known: str | None) -> str:
        """One expression, true exactly when ``schema`` reports nothing on ``var``."""
        if not isinstance(schema, dict):
            raise ValueError(f"unsupported schema {schema!r}: only object schemas are used")
        maybe_dict = "" if known == "object" else f"not isinstance({var}, dict) or "
        tests: list[str] = []
        for keyword, value in schema.items():
            if keyword in interpreter._ANNOTATIONS:
                continue
            if keyword == "type" and isinstance(value, str):
                if not _holds(known, value):
                    tests.append(_TYPE_TESTS[value].format(var))
            elif keyword in ("enum", "const"):
                options = interpreter._as_list(value) if keyword == "enum" else [value]
                tests.append(self.equal(options, var, known))
            elif keyword == "required":
                names = interpreter._as_list(value)
                present = " and ".join(f"{json.dumps(str(n))} in {var}" for n in names)
                tests.append(f"({maybe_dict}{present})" if maybe_dict else present)
            elif keyword == "properties":
                for name, sub in interpreter._as_dict(value).items():
                    item = f"{var}[{json.dumps(name)}]"
                    inner = self.condition(sub, item, None)
                    tests.append(f"({maybe_dict}{json.dumps(name)} not in {var} or {inner})")
            else:
                raise ValueError(f"{keyword!r} in an 'if' is not supported by this generator")
        return " and ".join(tests) if tests else "True"

    # --- the module ------------------------------------------------------------------------------

    def module(self) -> str:
        body = self.block(self.root, "v", [], None)
        root = [
            "def check_body(v: Any, path: Path, out: list[Violation]) -> None:",
            '    """Append to ``out`` what the schema interpreter would report on ``v``."""',
            *_render(body, 1),
        ]
        functions = ["\n".join(lines) for lines in self.functions.values()]
        constants = "\n".join(f"{name} = {literal}" for literal, name in self.constants.items())
        failures = "\n".join(
            "    (" + ", ".join(_literal(item) for item in entry) + ")," for entry in self.failures
        )
        equal = "\n    json_equal," if any("json_equal(" in f for f in functions + root) else ""
        chunks = [
            _HEADER.format(equal=equal) + "\n\n" + _PATTERNS.format(patterns=_tuple(self.patterns)),
            _FAILURES.format(failures=failures),
            constants,
            "\n".join(root),
            *functions,
        ]
        return "\n\n\n".join(chunk.strip("\n") for chunk in chunks) + "\n"


_KEYWORDS = {
    "type": _Generator._type,
    "properties": _Generator._properties,
    "required": _Generator._required,
    "additionalProperties": _Generator._additional,
    "items": _Generator._items,
    "enum": _Generator._enum,
    "const": _Generator._const,
    "pattern": _Generator._pattern,
    "$ref": _Generator._ref,
    "allOf": _Generator._all_of,
    "if": _Generator._if_keyword,
    **{
        keyword: (
            lambda gen, value, schema, var, path, known, keyword=keyword: gen._bound(
                keyword, value, schema, var, path
            )
        )
        for keyword in interpreter._BOUNDS
    },
}
# The same keywords as the interpreter's, no more, no fewer.
assert set(_KEYWORDS) == set(interpreter._SchemaCompiler._KEYWORDS) | set(interpreter._BOUNDS)


def _hint(schema: _Schema) -> str | None:
    return interpreter._description(schema)


def generate(schema_text: str | None = None) -> str:
    """The module for the packaged schema (or ``schema_text``), formatted by ruff as committed."""
    text = schema_text if schema_text is not None else SCHEMA.read_text(encoding="utf-8")
    code = _Generator(json.loads(text)).module()
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(MODULE), "-"],
        cwd=ROOT,
        input=code,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main() -> int:
    MODULE.write_text(generate(), encoding="utf-8")
    print(f"wrote {MODULE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
