"""Tests for k8s2ief.ief.validate, its schema and the SDK model bridge.

Fixtures live in testdata/validate: valid/*.json must pass, invalid/*.json each break exactly one
rule, named before "__" in the file name and listed with its path and edition in expected.json.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import tree_paths
from jsonschema import Draft202012Validator, validators

from k8s2ief.ief import schema as schema_module
from k8s2ief.ief.validate import CODE_RULES, Violation, load_schema, validate_body

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "testdata" / "validate"
EXPECTED: dict[str, dict[str, dict[str, str]]] = json.loads(
    (FIXTURES / "expected.json").read_text(encoding="utf-8")
)
VALID = sorted(EXPECTED["valid"])
INVALID = sorted(EXPECTED["invalid"])


def load(kind: str, name: str) -> Any:
    return json.loads((FIXTURES / kind / name).read_text(encoding="utf-8"))


def all_fixtures() -> Iterator[tuple[str, str, str]]:
    """(kind, file name, edition) of every fixture."""
    for kind in ("valid", "invalid"):
        for name in sorted(EXPECTED[kind]):
            yield kind, name, EXPECTED[kind][name]["edition"]


# --------------------------------------------------------------------------------------------
# Fixtures against the validator


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_has_no_violations(name: str) -> None:
    edition = EXPECTED["valid"][name]["edition"]
    assert validate_body(load("valid", name), edition=edition) == []


@pytest.mark.parametrize("name", INVALID)
def test_invalid_fixture_breaks_exactly_its_rule(name: str) -> None:
    expected = EXPECTED["invalid"][name]
    violations = validate_body(load("invalid", name), edition=expected["edition"])
    assert [(v.rule, v.path) for v in violations] == [(expected["rule"], expected["path"])]
    message = violations[0].message
    assert message and "\n" not in message


def test_fixture_files_and_expected_json_agree() -> None:
    for kind in ("valid", "invalid"):
        on_disk = sorted(path.name for path in (FIXTURES / kind).glob("*.json"))
        assert on_disk == sorted(EXPECTED[kind]), kind
    for name in INVALID:
        assert name.split("__")[0] == EXPECTED["invalid"][name]["rule"], name


def test_seed_example_is_a_valid_fixture() -> None:
    # shared/ sits beside the checkout, on developers' machines and in CI alike.
    seed = REPO.parent / "shared" / "seeds" / "000_019cfa68e99b0627.txt"
    if not seed.exists():
        pytest.skip("the seeds are not beside this checkout")
    text = seed.read_text(encoding="utf-8")
    start = text.index("{", text.index("请求示例"))
    example, _ = json.JSONDecoder().raw_decode(text[start:])
    assert load("valid", "seed-example.json") == example


def schema_keywords_that_can_fail(node: object) -> set[str]:
    """Keywords in the schema that report violations themselves (not just descend)."""
    structural = {"properties", "items", "$ref", "allOf", "if", "then", "else", "$defs"}
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    found |= schema_keywords_that_can_fail(sub)
                continue
            if key not in structural and key not in schema_module._ANNOTATIONS:
                found.add(key)
            found |= schema_keywords_that_can_fail(value)
    elif isinstance(node, list):
        for item in node:
            found |= schema_keywords_that_can_fail(item)
    return found


def test_every_rule_and_schema_keyword_has_an_invalid_fixture() -> None:
    covered = {EXPECTED["invalid"][name]["rule"] for name in INVALID}
    wanted = set(CODE_RULES) | {
        "schema." + keyword for keyword in schema_keywords_that_can_fail(load_schema())
    }
    assert wanted - covered == set()
    assert covered - wanted == set()  # no fixture names a rule that does not exist


def test_unknown_edition_is_an_error() -> None:
    with pytest.raises(ValueError, match="edition"):
        validate_body({}, edition="gold")


def test_edition_changes_the_verdict() -> None:
    body = load("valid", "platinum-group-affinity.json")
    rules = {v.rule for v in validate_body(body, edition="professional")}
    assert rules == {"edition-affinity", "edition-host-port-range", "edition-replicas"}


# --------------------------------------------------------------------------------------------
# The interpreter against jsonschema


def _go_integer(checker: object, instance: object) -> bool:
    """An integer as Go's JSON decoder reads one into an int: 1.0 is not."""
    return isinstance(instance, int) and not isinstance(instance, bool)


# Draft 2020-12, except that an integer field takes no float (the API's Go types refuse 1.0).
GoTypedValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _go_integer),
)


@pytest.fixture(scope="module")
def reference() -> Draft202012Validator:
    return GoTypedValidator(load_schema())


def schema_failures(body: object, edition: str = "professional") -> set[tuple[str, str]]:
    return {
        (v.path, v.rule)
        for v in validate_body(body, edition=edition)
        if v.rule.startswith("schema.")
    }


def reference_failures(reference: Draft202012Validator, body: object) -> set[tuple[str, str]]:
    return {(e.json_path, f"schema.{e.validator}") for e in reference.iter_errors(body)}


@pytest.mark.parametrize(("kind", "name", "edition"), list(all_fixtures()))
def test_interpreter_agrees_with_jsonschema_on_fixture(
    reference: Draft202012Validator, kind: str, name: str, edition: str
) -> None:
    body = load(kind, name)
    assert schema_failures(body, edition) == reference_failures(reference, body)


# Values that break types, lengths, ranges, enums and patterns of most fields.
ODD_VALUES: list[object] = [
    None,
    True,
    0,
    -1,
    1.0,
    2.5,
    70000,
    "",
    "X Y",
    "x" * 300,
    [],
    ["x"],
    {},
    {"unknown": 1},
]


def mutation_sites(node: object) -> Iterator[tuple[Any, ...]]:
    return tree_paths(node)


@pytest.mark.parametrize(
    "name", ["professional-full.json", "platinum-group-affinity.json", "host-network.json"]
)
def test_interpreter_agrees_with_jsonschema_on_mutations(
    reference: Draft202012Validator, name: str
) -> None:
    """Replace or delete every value of a rich body in turn; both validators must agree."""
    body = load("valid", name)
    compared = 0
    for path in list(mutation_sites(body)):
        if not path:
            continue
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        key, original = path[-1], parent[path[-1]]
        for value in ODD_VALUES:
            parent[key] = value
            assert schema_failures(body) == reference_failures(reference, body), (path, value)
            compared += 1
        if isinstance(parent, dict):
            del parent[key]
            assert schema_failures(body) == reference_failures(reference, body), (path, "del")
        parent[key] = original
    assert compared > 200


def test_interpreter_refuses_keywords_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="oneOf"):
        schema_module._SchemaCompiler({}).compile({"oneOf": [{"type": "string"}]})


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_load_schema_returns_a_fresh_copy() -> None:
    load_schema()["properties"] = {}
    properties = load_schema()["properties"]
    assert isinstance(properties, dict) and "deployment" in properties


def test_validate_imports_neither_jsonschema_nor_the_sdk() -> None:
    code = (
        "import json, sys\n"
        "from k8s2ief.ief.validate import validate_body\n"
        f"body = json.load(open({str(FIXTURES / 'valid' / 'seed-example.json')!r}))\n"
        "assert validate_body(body) == []\n"
        "print(sorted(m for m in sys.modules if m.startswith(('jsonschema', 'huaweicloud'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_validating_one_body_is_fast() -> None:
    """A loose guard against regressions such as recompiling the schema on every call."""
    body = load("valid", "professional-full.json")
    validate_body(body)  # compile once
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        validate_body(body)
    per_body = (time.perf_counter() - start) / runs
    assert per_body < 0.005, f"{per_body * 1000:.2f} ms per body"


def test_violation_is_frozen() -> None:
    violation = Violation("$", "one-target", "m")
    with pytest.raises(AttributeError):
        violation.rule = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# The schema against the official SDK models

LIST_TYPE = re.compile(r"list\[(.+)\]")
DICT_TYPE = re.compile(r"dict\(str, (.+)\)")
JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean"}


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """huaweicloudsdkief.v1, imported with HOME in a temporary directory.

    The import writes $HOME/.huaweicloud/application_id; it must not touch the real home.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        from huaweicloudsdkief import v1

        yield v1


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def walk_models(
    sdk: ModuleType, schema: dict[str, Any]
) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(JSON path, SDK model class, resolved schema object) for every object level of the body."""
    todo = [("$", sdk.CreateDeploymentsRequest.openapi_types["body"], schema)]
    while todo:
        path, type_name, node = todo.pop()
        model = getattr(sdk, type_name)
        node = resolve(schema, node)
        yield path, model, node
        for attribute, attribute_type in model.openapi_types.items():
            wire = model.attribute_map[attribute]
            sub = resolve(schema, node["properties"][wire])
            sub_path = f"{path}.{wire}"
            if match := LIST_TYPE.fullmatch(attribute_type):
                assert sub["type"] == "array", sub_path
                attribute_type, sub_path = match[1], sub_path + "[]"
                sub = resolve(schema, sub["items"])
            if DICT_TYPE.fullmatch(attribute_type):
                # A map (limits, matchLabels): the schema may name its keys, the SDK cannot.
                assert sub["type"] == "object", sub_path
            elif attribute_type in JSON_TYPES:
                assert sub["type"] == JSON_TYPES[attribute_type], sub_path
            else:
                todo.append((sub_path, attribute_type, sub))


def test_schema_field_names_equal_the_sdk_wire_names(sdk: ModuleType) -> None:
    schema = load_schema()
    levels = 0
    for path, model, node in walk_models(sdk, schema):
        assert set(node["properties"]) == set(model.attribute_map.values()), (path, model)
        assert node["additionalProperties"] is False, path
        assert set(node.get("required", [])) <= set(node["properties"]), path
        levels += 1
    assert levels > 30


def test_schema_field_order_equals_the_seed_order(sdk: ModuleType) -> None:
    """The SDK models list fields in the zh seed's order, which is the order the converter emits."""
    for path, model, node in walk_models(sdk, load_schema()):
        assert list(node["properties"]) == list(model.attribute_map.values()), path


@pytest.mark.parametrize("name", VALID)
def test_valid_fixture_round_trips_through_the_sdk(sdk: ModuleType, name: str) -> None:
    from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

    from k8s2ief.ief.sdk_models import to_sdk_model

    body = load("valid", name)
    model = to_sdk_model(body)
    assert type(model).__name__ == "Deployment"
    wire = sanitize_for_serialization(model)
    assert wire == body
    # Same key order too: the fixtures are written in the order the SDK (and the seeds) use.
    assert json.dumps(wire) == json.dumps(body)


def test_sdk_model_keeps_exec_under_its_wire_name(sdk: ModuleType) -> None:
    from k8s2ief.ief.sdk_models import to_sdk_model

    model = to_sdk_model(load("valid", "professional-full.json"))
    probe = model.deployment.template.containers[0].liveness_probe
    assert probe._exec.command == "cat /tmp/healthy"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b.update(nodeIds=["n"]), "$.nodeIds"),
        (lambda b: b["deployment"].update(replicas="1"), "$.deployment.replicas"),
        (lambda b: b["deployment"].update(replicas=True), "$.deployment.replicas"),
        (lambda b: b["deployment"]["template"].update(containers={}), "$.deployment.template"),
    ],
)
def test_sdk_model_rejects_what_the_sdk_cannot_carry(
    sdk: ModuleType, change: Any, where: str
) -> None:
    from k8s2ief.ief.sdk_models import SdkModelError, to_sdk_model

    body = load("valid", "minimal.json")
    change(body)
    with pytest.raises(SdkModelError) as raised:
        to_sdk_model(body)
    assert raised.value.path.startswith(where)


def test_an_integer_field_refuses_a_float() -> None:
    body = load("valid", "minimal.json")
    body["deployment"]["replicas"] = 1.0
    found = [(v.path, v.rule) for v in validate_body(body)]
    assert found == [("$.deployment.replicas", "schema.type")]


def test_one_volume_may_be_mounted_at_two_destinations() -> None:
    body = load("valid", "professional-full.json")
    volumes = body["deployment"]["template"]["containers"][0]["volumes"]
    volumes.append({**volumes[0], "destination": "/etc/other"})
    assert validate_body(body) == []
    volumes.append({**volumes[0]})
    assert [v.rule for v in validate_body(body)] == ["one-volume-per-name"]


def test_violations_carry_their_path_as_parts() -> None:
    body = load("valid", "minimal.json")
    body["deployment"]["replicas"] = "1"
    (violation,) = validate_body(body)
    assert violation.parts == ("deployment", "replicas")


def test_validate_command_rejects_a_float_replica_count(tmp_path: Path) -> None:
    body = load("valid", "minimal.json")
    body["deployment"]["replicas"] = 1.0
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 1, done.stderr
    assert "$.deployment.replicas: expected integer, got number" in done.stdout


def test_validate_command_names_the_line_of_each_violation(tmp_path: Path) -> None:
    """Each violation points at the line of the body field it is about, not at the body's start."""
    body = load("valid", "minimal.json")
    body["deployment"]["replicas"] = 1.0
    path = tmp_path / "bodies.json"
    text = json.dumps([load("valid", "minimal.json"), body], indent=2)
    path.write_text(text)
    replicas_lines = [n for n, line in enumerate(text.splitlines(), 1) if '"replicas"' in line]
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 1, done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith(f"{path}:{replicas_lines[1]} [1]: $.deployment.replicas:"), line
