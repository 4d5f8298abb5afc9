"""The IEF contract is the one source of the limits: the schema is generated from it, and the
converter's rules and the validator read the same values."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from k8s2ief import convert
from k8s2ief.ief import contract
from k8s2ief.ief.validate import validate_body

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_schema", ROOT / "scripts" / "gen_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_schema"] = module
    spec.loader.exec_module(module)
    return module


def test_committed_schema_is_generated_from_the_contract() -> None:
    committed = (ROOT / "k8s2ief" / "schemas" / "create-deployment.schema.json").read_text()
    assert _generator().generate() == committed, "regenerate: python scripts/gen_schema.py"


def test_a_contract_value_reaches_the_schema() -> None:
    gen = _generator()
    template = gen.TEMPLATE.read_text(encoding="utf-8")
    changed = dict(contract.SCHEMA_VALUES, ENV_VALUE_MAX=7, TAG_KEY="^x$")
    schema = json.loads(gen.render(template, changed))
    env = schema["$defs"]["Env"]["properties"]["value"]
    assert env["maxLength"] == 7
    assert env["description"] == "at most 7 characters"
    assert schema["$defs"]["Attributes"]["properties"]["key"]["pattern"] == "^x$"


def test_every_contract_value_is_used_by_the_template() -> None:
    template = _generator().TEMPLATE.read_text(encoding="utf-8")
    unused = [name for name in contract.SCHEMA_VALUES if "@{" + name + "}" not in template]
    assert unused == []


def test_an_unknown_placeholder_is_an_error() -> None:
    gen = _generator()
    try:
        gen.render('{"maxLength": "@{NO_SUCH_LIMIT}"}', contract.SCHEMA_VALUES)
    except KeyError as exc:
        assert "NO_SUCH_LIMIT" in str(exc)
    else:
        raise AssertionError("an unknown placeholder was accepted")


def _manifest(command_chars: int, args_chars: int) -> dict[str, object]:
    container = {"name": "web", "image": "nginx:1.25"}
    container["command"] = ["c" * command_chars]
    container["args"] = ["a" * args_chars]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


def test_command_and_args_limit_is_each_not_the_sum_in_convert_and_validate() -> None:
    at_limit = convert(_manifest(contract.ARGV_MAX, contract.ARGV_MAX), node_id="n1")
    assert not [f for f in at_limit.findings if f.code == "KI305"]
    assert validate_body(at_limit.body) == []
    over = convert(_manifest(contract.ARGV_MAX + 1, 1), node_id="n1")
    assert [f.code for f in over.findings if f.code == "KI305"] == ["KI305"]
    assert [v.rule for v in validate_body(over.body)] == ["argv-length"]
