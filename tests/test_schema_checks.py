"""The generated schema checks (k8s2ief/ief/schema_checks.py) against the schema interpreter.

The interpreter (k8s2ief/ief/schema.py) is the reference that tests/test_validate.py proves
against ``jsonschema``; the generated module must report exactly what it reports: the same
violations, with the same messages, in the same order. Checked on the validator's fixtures,
on every single-value mutation of the richest ones, on values generated around the schema's own
field names, and, for the generator itself, on a schema that uses every keyword in the forms
the packaged schema does not (type lists, non-string enums, else, recursion).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import tree_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s2ief.ief import schema as interpreter
from k8s2ief.ief.schema_checks import check_body
from k8s2ief.ief.violation import Violation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "testdata" / "validate"
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_Check = Callable[[object, tuple[str | int, ...], list[Violation]], None]


@cache
def _generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_validator.py"
    spec = importlib.util.spec_from_file_location("gen_validator", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_validator"] = module
    spec.loader.exec_module(module)
    return module


def _report(check: _Check, value: object) -> list[Violation]:
    out: list[Violation] = []
    check(value, (), out)
    return out


def _fixtures() -> list[tuple[str, Any]]:
    return [
        (f"{path.parent.name}/{path.name}", json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(FIXTURES.glob("*/*.json"))
        if path.name != "expected.json"
    ]


# Values that break types, lengths, ranges, enums, consts and patterns, and satisfy some.
ODD_VALUES: list[object] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    1.0,
    2.5,
    70000,
    "",
    "X Y",
    "x" * 300,
    "a\n",
    "/etc",
    "hostPath",
    "emptyDir",
    "secret",
    "memory",
    "status.hostIP",
    [],
    ["x"],
    [1, "a"],
    {},
    {"unknown": 1},
]


def test_committed_module_is_what_the_generator_writes() -> None:
    committed = (ROOT / "k8s2ief" / "ief" / "schema_checks.py").read_text(encoding="utf-8")
    assert _generator().generate() == committed, "regenerate: python scripts/gen_validator.py"


@pytest.mark.parametrize(("name", "body"), _fixtures(), ids=[n for n, _ in _fixtures()])
def test_generated_checks_report_what_the_interpreter_reports_on_fixture(
    name: str, body: Any
) -> None:
    assert _report(check_body, body) == _report(interpreter.compiled_schema(), body)


@pytest.mark.parametrize(
    "name", ["professional-full.json", "platinum-group-affinity.json", "host-network.json"]
)
def test_generated_checks_agree_on_every_mutation(name: str) -> None:
    """Replace or delete every value of a rich body in turn, or add an unknown field beside it:
    the two report the same list of violations each time."""
    reference = interpreter.compiled_schema()
    body = json.loads((FIXTURES / "valid" / name).read_text(encoding="utf-8"))
    compared = failing = 0
    for path in list(tree_paths(body)):
        if not path:
            continue
        for change in [*ODD_VALUES, "delete", "sibling"]:
            mutated = copy.deepcopy(body)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            if change == "delete":
                if not isinstance(parent, dict):
                    continue
                del parent[path[-1]]
            elif change == "sibling":
                if not isinstance(parent, dict):
                    continue
                parent["zz_unknown"] = 1
            else:
                parent[path[-1]] = copy.deepcopy(change)
            expected = _report(reference, mutated)
            assert _report(check_body, mutated) == expected, (path, change)
            compared += 1
            failing += bool(expected)
    assert compared > 300 and failing > compared // 2


def _schema_words(node: object) -> set[str]:
    """Every property name the schema mentions: generated values use them as keys."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _schema_words(value)
    elif isinstance(node, list):
        for item in node:
            found |= _schema_words(item)
    return found


def _values(words: list[str]) -> st.SearchStrategy[object]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 70000),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.sampled_from([*words, "", "hostPath", "emptyDir", "secret", "a\n", "x" * 70]),
        st.text(max_size=8),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from([*words, "other"]), inner, max_size=5),
        ),
        max_leaves=25,
    )


_PACKAGED_WORDS = sorted(_schema_words(interpreter.load_schema()))


@EXAMPLES
@given(st.dictionaries(st.sampled_from(_PACKAGED_WORDS), _values(_PACKAGED_WORDS), max_size=8))
def test_generated_checks_agree_on_generated_values(value: dict[str, object]) -> None:
    assert _report(check_body, value) == _report(interpreter.compiled_schema(), value)


@EXAMPLES
@given(_values(_PACKAGED_WORDS))
def test_generated_checks_agree_on_any_value(value: object) -> None:
    assert _report(check_body, value) == _report(interpreter.compiled_schema(), value)


# A schema using the keywords in forms the packaged one does not.
OTHER_SCHEMA: dict[str, object] = {
    "description": "the root",
    "type": "object",
    "properties": {
        "either": {"description": "a string or null", "type": ["string", "null"], "minLength": 2},
        "mixed": {"enum": [1, "a", True, None, [1], {"k": 1}]},
        "three": {"const": 3},
        "off": {"const": False},
        "obj": {"const": {"k": [1, 2]}},
        "ratio": {"type": "number", "minimum": 0.5, "maximum": 2},
        "count": {"type": "integer", "maximum": 3, "minimum": 1},
        "items": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"$ref": "#/$defs/N"}},
        "tree": {"$ref": "#/$defs/Tree"},
        "map": {
            "properties": {"fixed": {"type": "integer"}},
            "additionalProperties": {"type": "string", "pattern": "^a"},
        },
        "choice": {
            "if": {"type": "string", "enum": ["a", "b"]},
            "then": {"maxLength": 0},
            "else": {"type": "integer", "const": 7},
        },
        "notype": {"minLength": 1, "minimum": 1, "pattern": "b", "minItems": 1, "required": ["r"]},
    },
    "required": ["either", "tree"],
    "allOf": [{"required": ["three"]}, {"properties": {"three": {"type": "integer"}}}],
    "$defs": {
        "N": {"description": "a positive number", "type": "number", "minimum": 1},
        "Tree": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    },
}
_OTHER_WORDS = sorted(_schema_words(OTHER_SCHEMA) | {"k", "r"})


def _compiled(schema: dict[str, object]) -> _Check:
    namespace: dict[str, object] = {}
    code = _generator()._Generator(copy.deepcopy(schema)).module()
    exec(compile(code, "<generated>", "exec"), namespace)
    check: _Check = namespace["check_body"]  # type: ignore[assignment]
    return check


_OTHER = _compiled(OTHER_SCHEMA)
_OTHER_REFERENCE = interpreter._SchemaCompiler(OTHER_SCHEMA).compile(OTHER_SCHEMA)


@EXAMPLES
@given(st.dictionaries(st.sampled_from(_OTHER_WORDS), _values(_OTHER_WORDS), max_size=8))
def test_generator_agrees_with_the_interpreter_on_every_keyword_form(
    value: dict[str, object],
) -> None:
    assert _report(_OTHER, value) == _report(_OTHER_REFERENCE, value)


def test_other_schema_reports_each_keyword_form() -> None:
    """The comparison above is not vacuous: this schema's checks do fail, in many ways."""
    value = {
        "either": 5,
        "mixed": "b",
        "three": 3.5,
        "off": 0,
        "obj": {"k": [1]},
        "ratio": 2.5,
        "count": 0.5,
        "items": [0, 1, 2],
        "tree": {"name": "t", "children": [{"children": [], "x": 1}]},
        "map": {"fixed": "1", "free": "b"},
        "choice": "a",
        "notype": "",
    }
    rules = {v.rule for v in _report(_OTHER, value)}
    assert rules == {
        f"schema.{keyword}"
        for keyword in (
            "type",
            "enum",
            "const",
            "minimum",
            "maximum",
            "maxItems",
            "required",
            "additionalProperties",
            "pattern",
            "maxLength",
            "minLength",
        )
    }
    assert _report(_OTHER, value) == _report(_OTHER_REFERENCE, value)


@pytest.mark.parametrize(
    ("schema", "word"),
    [
        ({"oneOf": [{"type": "string"}]}, "oneOf"),
        ({"if": {"minLength": 1}, "then": {"type": "string"}}, "minLength"),
        ({"$ref": "http://example.com/schema"}, "local"),
    ],
)
def test_generator_refuses_what_it_does_not_know(schema: dict[str, object], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        _generator()._Generator(schema).module()


def _patterns(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        for value in node.values():
            found |= _patterns(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_patterns, node)) if node else set()
    return set()


_SCHEMA_PATTERNS = sorted(_patterns(interpreter.load_schema()))


@pytest.mark.parametrize("regex", _SCHEMA_PATTERNS)
@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="aZ0-_./\n ^$#\\[]{}'\"é", max_size=12))
def test_anchored_pattern_as_fullmatch_means_search(regex: str, text: str) -> None:
    """How the generated checks test ``^P$`` (``fullmatch(P)``, also without a final newline)
    finds what ``re.search`` of the schema's pattern finds."""
    import re

    inner = _generator().anchored_inner(regex)
    if inner is None:
        return  # tested with re.search as written
    fullmatch = re.compile(inner).fullmatch
    by_fullmatch = fullmatch(text) is not None or (text[-1:] == "\n" and fullmatch(text[:-1]))
    assert bool(by_fullmatch) == (re.search(regex, text) is not None)


def test_most_schema_patterns_are_shared_with_the_contract() -> None:
    """The patterns the rules compile from the contract are the ones the checks use."""
    from k8s2ief.ief import contract

    inner = {_generator().anchored_inner(regex) for regex in _SCHEMA_PATTERNS}
    shared = {contract.NAME, contract.ENV_NAME, contract.HOST_PATH, contract.DECIMAL_QUANTITY}
    assert shared <= inner
    assert _generator().anchored_inner("^a|b$") is None
    assert _generator().anchored_inner("^(?=a)b$") is None
    assert _generator().anchored_inner("^a\\b$") is None


def test_converting_reads_no_schema_file_and_loads_no_interpreter(tmp_path: Path) -> None:
    """A conversion validates its body with the generated checks alone: neither the schema
    interpreter nor the schema file is loaded."""
    import subprocess

    manifest = tmp_path / "web.yaml"
    manifest.write_text((ROOT / "testdata" / "golden" / "basic" / "input.yaml").read_text())
    probe = (
        "import sys\n"
        "from k8s2ief.cli import main\n"
        f"code = main(['convert', {str(manifest)!r}, '--node-id', 'n'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('k8s2ief.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert "'k8s2ief.ief.schema_checks'" in loaded and "'k8s2ief.ief.validate'" in loaded
    assert "'k8s2ief.ief.schema'" not in loaded
