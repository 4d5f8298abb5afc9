"""Check an IEF create-deployment request body before it is sent.

Two layers, reported together:

1. The JSON Schema in ``k8s2ief/schemas/create-deployment.schema.json`` (types, required fields,
   enums, patterns, lengths, ranges). It is applied by a small interpreter below instead of the
   ``jsonschema`` package: ``validate_body`` runs inside every ``k8s2ief convert`` and importing
   ``jsonschema`` alone costs about 100 ms of CLI start-up. The interpreter knows exactly the
   keywords the schema uses and refuses to compile any other, so a schema edit cannot be silently
   ignored; tests/test_validate.py proves it agrees with ``jsonschema``'s Draft 2020-12 validator.
2. Rules a schema cannot say (exactly one target, requests within limits, edition limits, ...),
   as small functions over the body. They read the body defensively: a value of the wrong type is
   the schema's to report, so a rule skips it rather than report the same mistake twice.

Paths are JSON paths in the format ``jsonschema`` uses (``$.deployment.template.containers[0]``),
always pointing at a value that exists in the body: a missing field is reported on its parent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from k8s2ief.ief import contract
from k8s2ief.ief.contract import EDITIONS

__all__ = [
    "CODE_RULES",
    "EDITIONS",
    "Violation",
    "format_path",
    "load_schema",
    "validate_body",
]

# One line per rule a schema cannot express; the ids are stable (reports and docs use them).
CODE_RULES: Mapping[str, str] = {
    "one-target": "exactly one of group_id and node_ids",
    "one-node": "node_ids holds at most one node id",
    "migration-with-group": "deployment.template.configs.migration is set when group_id is used",
    "resource-range": f"cpu {contract.RESOURCES['cpu'].text}, memory and gpu "
    f"{contract.RESOURCES['memory'].text} (memory limit >= {contract.MEMORY_LIMIT_MIN}), "
    f"npu {contract.RESOURCES['npu'].text}",
    "requests-within-limits": "a resource request is not above its limit",
    "host-port-xor-range": "a port mapping has host_port or host_port_range, not both "
    "(one of them unless host_network)",
    "port-range-order": "host_port_range.max_port is greater than min_port",
    "probe-one-handler": "a probe has exactly one of exec and http_get",
    "env-one-source": "an env has exactly one of value, value_from and field_path",
    "env-value-from-one-source": "value_from has exactly one of secret and configmap",
    "match-expression-values": "In/NotIn need values, Exists/DoesNotExist none, Gt/Lt one integer",
    "unique-container-names": "container names are unique across init_containers and containers",
    "unique-env-names": "env names are unique within a container",
    "one-volume-per-name": "volumes of one name (in any container) are one volume: same type "
    "and source; one container mounts it at distinct destinations",
    "unique-tag-keys": "tag keys are unique",
    "dns-policy-host-network": "dns_policy Default or ClusterFirstWithHostNet with host_network, "
    "Default or ClusterFirst without",
    "edition-affinity": "affinity needs the platinum edition",
    "edition-host-port-range": "host_port_range needs the platinum edition",
    "edition-replicas": f"replicas is {contract.REPLICAS_MAX[contract.PROFESSIONAL]} on the "
    f"professional edition and below {contract.REPLICAS_MAX[contract.PLATINUM] + 1} on platinum",
    "argv-length": f"command and args each hold at most {contract.ARGV_MAX} characters in all",
}

_Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a body breaks the API's rules."""

    path: str  # JSON path like "$.deployment.template.containers[0].ports[1].host_port"
    rule: str  # stable rule id: "schema.<keyword>" or a key of CODE_RULES
    message: str  # one line: what is wrong and what the API expects
    parts: tuple[str | int, ...] = ()  # the same path as keys and indexes


def validate_body(body: object, *, edition: str = "professional") -> list[Violation]:
    """Every violation of the schema, then of the code rules, in a stable order.

    ``edition`` is the IEF service edition the body is meant for: "professional" or "platinum".
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown IEF edition {edition!r} (use {' or '.join(EDITIONS)})")
    out: list[Violation] = []
    _compiled_schema()(body, (), out)
    if isinstance(body, dict):
        for rule in _CODE_RULE_FUNCTIONS:
            out.extend(rule(body, edition))
    return out


def load_schema() -> dict[str, object]:
    """The packaged JSON Schema, freshly parsed (callers may change their copy)."""
    schema: dict[str, object] = json.loads(_schema_text())
    return schema


@lru_cache(maxsize=1)
def _schema_text() -> str:
    # Imported here: importlib.resources is only needed once, on the first validation.
    from importlib.resources import files

    resource = files("k8s2ief") / "schemas" / "create-deployment.schema.json"
    return resource.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Paths


_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")


def format_path(parts: _Path) -> str:
    """A JSON path spelled exactly as ``jsonschema``'s ``ValidationError.json_path``."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += "." + part
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


# --------------------------------------------------------------------------------------------
# Layer 1: the schema interpreter


_Check = Callable[[object, _Path, list[Violation]], None]
_Schema = dict[str, object]

# Keywords that only annotate; everything else must be understood or compilation fails.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)


@lru_cache(maxsize=1)
def _compiled_schema() -> _Check:
    schema = load_schema()
    return _SchemaCompiler(schema).compile(schema)


def _json_type(value: object) -> str:
    """The JSON type name of a Python value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


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


def _json_equal(a: object, b: object) -> bool:
    """JSON equality as JSON Schema's enum/const mean it: true is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return a == b


def _short(value: object) -> str:
    """A value for a one-line message: JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


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
                got = _json_type(instance)
                out.append(_violation(path, "type", f"expected {wanted}, got {got}", hint))

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
                        out.append(_violation(path, "required", msg, field_hint))

        return check

    def _additional_properties(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        known = frozenset(_as_dict(schema.get("properties", {})))
        allowed = ", ".join(_as_dict(schema.get("properties", {}))) or "none"
        if value is False:

            def reject(instance: object, path: _Path, out: list[Violation]) -> None:
                if isinstance(instance, dict):
                    extra = [key for key in instance if key not in known]
                    if extra:
                        names = ", ".join(repr(key) for key in extra)
                        msg = f"unknown field(s) {names}; allowed: {allowed}"
                        out.append(_violation(path, "additionalProperties", msg, None))

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
        listed = ", ".join(_short(option) for option in options)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if not any(_json_equal(instance, option) for option in options):
                msg = f"{_short(instance)} is not one of {listed}"
                out.append(_violation(path, "enum", msg, hint))

        return check

    def _const(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if not _json_equal(instance, value):
                msg = f"{_short(instance)} must be {_short(value)}"
                out.append(_violation(path, "const", msg, hint))

        return check

    def _pattern(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        regex = _regex(str(value))

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            # search, not match: JSON Schema patterns are unanchored unless they say ^ and $.
            if isinstance(instance, str) and regex.search(instance) is None:
                msg = f"{_short(instance)} does not match {regex.pattern}"
                out.append(_violation(path, "pattern", msg, hint))

        return check

    def _min_length(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_int(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, str) and len(instance) < limit:
                msg = f"{len(instance)} characters, fewer than {limit}"
                out.append(_violation(path, "minLength", msg, hint))

        return check

    def _max_length(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_int(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, str) and len(instance) > limit:
                msg = f"{len(instance)} characters, more than {limit}"
                out.append(_violation(path, "maxLength", msg, hint))

        return check

    def _minimum(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_number(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if _is_number(instance) and instance < limit:  # type: ignore[operator]
                msg = f"{instance} is below the minimum {limit}"
                out.append(_violation(path, "minimum", msg, hint))

        return check

    def _maximum(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_number(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if _is_number(instance) and instance > limit:  # type: ignore[operator]
                msg = f"{instance} is above the maximum {limit}"
                out.append(_violation(path, "maximum", msg, hint))

        return check

    def _min_items(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_int(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, list) and len(instance) < limit:
                msg = f"{len(instance)} items, fewer than {limit}"
                out.append(_violation(path, "minItems", msg, hint))

        return check

    def _max_items(self, value: object, schema: _Schema, hint: str | None) -> _Check:
        limit = _as_int(value)

        def check(instance: object, path: _Path, out: list[Violation]) -> None:
            if isinstance(instance, list) and len(instance) > limit:
                msg = f"{len(instance)} items, more than {limit}"
                out.append(_violation(path, "maxItems", msg, hint))

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
        "minLength": _min_length,
        "maxLength": _max_length,
        "minimum": _minimum,
        "maximum": _maximum,
        "minItems": _min_items,
        "maxItems": _max_items,
        "$ref": _ref,
        "allOf": _all_of,
        "if": _if,
    }


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _description(schema: object) -> str | None:
    description = schema.get("description") if isinstance(schema, dict) else None
    return description if isinstance(description, str) else None


def _violation(path: _Path, keyword: str, message: str, hint: str | None) -> Violation:
    if hint:
        message = f"{message} (API: {hint})"
    return Violation(format_path(path), "schema." + keyword, message, path)


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


# --------------------------------------------------------------------------------------------
# Layer 2: rules a schema cannot say
#
# Each rule reads the body through the helpers below, which turn a value of the wrong type into
# "absent": the schema layer reports wrong types, so a body breaking one rule yields one violation.

_Rule = Callable[[dict[str, object], str], Iterator[Violation]]


def _obj(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _arr(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rule(path: _Path, rule: str, message: str) -> Violation:
    return Violation(format_path(path), rule, message, path)


_TEMPLATE: _Path = ("deployment", "template")
_CONFIGS: _Path = (*_TEMPLATE, "configs")


def _template(body: dict[str, object]) -> dict[str, object]:
    return _obj(_obj(body.get("deployment")).get("template"))


def _configs(body: dict[str, object]) -> dict[str, object]:
    return _obj(_template(body).get("configs"))


def _containers(body: dict[str, object]) -> Iterator[tuple[_Path, dict[str, object]]]:
    """Init containers, then containers, each with its path."""
    template = _template(body)
    for field in ("init_containers", "containers"):
        for index, container in enumerate(_arr(template.get(field))):
            if isinstance(container, dict):
                yield (*_TEMPLATE, field, index), container


def _check_target(body: dict[str, object], edition: str) -> Iterator[Violation]:
    has_group, has_nodes = "group_id" in body, "node_ids" in body
    if has_group and has_nodes:
        yield _rule(
            ("group_id",),
            "one-target",
            "both group_id and node_ids are set; the API deploys to one node group or one node",
        )
    elif not has_group and not has_nodes:
        yield _rule((), "one-target", "neither group_id nor node_ids is set; the API needs one")
    nodes = _arr(body.get("node_ids"))
    if len(nodes) > 1:
        yield _rule(
            ("node_ids",),
            "one-node",
            f"{len(nodes)} node ids; the API deploys to one edge node (use a node group for more)",
        )
    configs = _template(body).get("configs")
    if has_group and isinstance(configs, dict) and "migration" not in configs:
        yield _rule(
            _CONFIGS,
            "migration-with-group",
            "configs.migration is missing; the API requires it when deploying to a node group",
        )


_RESOURCE_KINDS = contract.RESOURCES
_MEMORY_LIMIT_MIN = contract.MEMORY_LIMIT_MIN


def _quantities(resources: dict[str, object], field: str) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for key, raw in _obj(resources.get(field)).items():
        kind = _RESOURCE_KINDS.get(key)
        # Another spelling than the schema's is the schema's to report.
        if kind is not None and isinstance(raw, str) and _regex(kind.form).fullmatch(raw):
            values[key] = Decimal(raw)
    return values


def _check_resources(body: dict[str, object], edition: str) -> Iterator[Violation]:
    for path, container in _containers(body):
        resources = _obj(container.get("resources"))
        limits = _quantities(resources, "limits")
        requests = _quantities(resources, "requests")
        for field, values in (("limits", limits), ("requests", requests)):
            for key, value in values.items():
                kind = _RESOURCE_KINDS[key]
                low = _MEMORY_LIMIT_MIN if (field, key) == ("limits", "memory") else kind.low
                if not low <= value <= kind.high:
                    yield _rule(
                        (*path, "resources", field, key),
                        "resource-range",
                        f"{key} {field[:-1]} {value}{kind.unit} is out of range; the API accepts "
                        f"{low} to {kind.high}{kind.unit}",
                    )
        for key, request in requests.items():
            limit = limits.get(key)
            if limit is not None and request > limit:
                yield _rule(
                    (*path, "resources", "requests", key),
                    "requests-within-limits",
                    f"{key} request {request} is above its limit {limit}; the API requires "
                    "requests <= limits",
                )


def _check_ports(body: dict[str, object], edition: str) -> Iterator[Violation]:
    host_network = _configs(body).get("host_network") is True
    for path, container in _containers(body):
        for index, port in enumerate(_arr(container.get("ports"))):
            if not isinstance(port, dict):
                continue
            port_path = (*path, "ports", index)
            has_port, has_range = "host_port" in port, "host_port_range" in port
            if has_port and has_range:
                yield _rule(
                    port_path,
                    "host-port-xor-range",
                    "both host_port and host_port_range are set; the API takes one of them",
                )
            elif not has_port and not has_range and not host_network:
                # Without the host network a container port is reached through a host port.
                yield _rule(
                    port_path,
                    "host-port-xor-range",
                    "neither host_port nor host_port_range is set; without host_network the API "
                    "maps each container port to a host port",
                )
            if not has_range:
                continue
            range_path = (*port_path, "host_port_range")
            if edition != "platinum":
                yield _rule(
                    range_path,
                    "edition-host-port-range",
                    "host_port_range is only available on the platinum edition; use host_port",
                )
            port_range = _obj(port.get("host_port_range"))
            low, high = _int(port_range.get("min_port")), _int(port_range.get("max_port"))
            if low is not None and high is not None and high <= low:
                yield _rule(
                    (*range_path, "max_port"),
                    "port-range-order",
                    f"max_port {high} is not greater than min_port {low}; the API requires "
                    "max_port > min_port",
                )


def _check_probes(body: dict[str, object], edition: str) -> Iterator[Violation]:
    for path, container in _containers(body):
        for field in ("readiness_probe", "liveness_probe"):
            probe = container.get(field)
            if isinstance(probe, dict) and ("exec" in probe) == ("http_get" in probe):
                which = "both" if "exec" in probe else "neither of"
                yield _rule(
                    (*path, field),
                    "probe-one-handler",
                    f"{field} has {which} exec and http_get; the API takes exactly one",
                )


_ENV_SOURCES = ("value", "value_from", "field_path")


def _check_envs(body: dict[str, object], edition: str) -> Iterator[Violation]:
    for path, container in _containers(body):
        first_index: dict[str, int] = {}
        for index, env in enumerate(_arr(container.get("envs"))):
            if not isinstance(env, dict):
                continue
            env_path = (*path, "envs", index)
            sources = [field for field in _ENV_SOURCES if field in env]
            if len(sources) != 1:
                found = " and ".join(sources) or "none of them"
                yield _rule(
                    env_path,
                    "env-one-source",
                    f"env sets {found}; the API takes exactly one of value, value_from "
                    "and field_path",
                )
            value_from = env.get("value_from")
            if isinstance(value_from, dict) and ("secret" in value_from) == (
                "configmap" in value_from
            ):
                which = "both" if "secret" in value_from else "neither of"
                yield _rule(
                    (*env_path, "value_from"),
                    "env-value-from-one-source",
                    f"value_from has {which} secret and configmap; the API takes exactly one",
                )
            name = env.get("name")
            if isinstance(name, str):
                if name in first_index:
                    yield _rule(
                        (*env_path, "name"),
                        "unique-env-names",
                        f"env {name!r} is already defined at envs[{first_index[name]}]; "
                        "the API requires unique env names",
                    )
                else:
                    first_index[name] = index


def _check_volume_names(body: dict[str, object], edition: str) -> Iterator[Violation]:
    """A volume name is one pod volume: mounted by several containers, or twice by one at two
    destinations, its entries must agree on what it is."""
    first: dict[str, tuple[object, object, _Path]] = {}
    for path, container in _containers(body):
        destinations: set[tuple[str, str]] = set()
        for index, volume in enumerate(_arr(container.get("volumes"))):
            entry = _obj(volume)
            name = entry.get("name")
            if not isinstance(name, str):
                continue
            here = (*path, "volumes", index)
            destination = entry.get("destination")
            if not isinstance(destination, str):
                continue  # the schema reports it
            if (name, destination) in destinations:
                yield _rule(
                    (*here, "destination"),
                    "one-volume-per-name",
                    f"volume {name!r} is mounted twice at {destination!r}",
                )
            destinations.add((name, destination))
            kind = (entry.get("type"), entry.get("source"))
            if name not in first:
                first[name] = (*kind, here)
            elif first[name][:2] != kind:
                yield _rule(
                    (*here, "name"),
                    "one-volume-per-name",
                    f"volume {name!r} is {kind[0]} {kind[1]!r} here but {first[name][0]} "
                    f"{first[name][1]!r} at {format_path(first[name][2])}; one name is one volume",
                )


def _check_container_names(body: dict[str, object], edition: str) -> Iterator[Violation]:
    first_path: dict[str, _Path] = {}
    for path, container in _containers(body):
        name = container.get("name")
        if not isinstance(name, str):
            continue
        if name in first_path:
            yield _rule(
                (*path, "name"),
                "unique-container-names",
                f"container {name!r} is already defined at {format_path(first_path[name])}; "
                "the API requires unique names across init_containers and containers",
            )
        else:
            first_path[name] = path


def _check_tag_keys(body: dict[str, object], edition: str) -> Iterator[Violation]:
    first_index: dict[str, int] = {}
    for index, tag in enumerate(_arr(body.get("tags"))):
        key = _obj(tag).get("key")
        if not isinstance(key, str):
            continue
        if key in first_index:
            yield _rule(
                ("tags", index, "key"),
                "unique-tag-keys",
                f"tag key {key!r} is already used at tags[{first_index[key]}]; "
                "the API requires unique tag keys",
            )
        else:
            first_index[key] = index


def _match_expressions(node: object, path: _Path) -> Iterator[tuple[_Path, dict[str, object]]]:
    """Every matchExpressions item under an affinity, wherever Kubernetes' nesting puts it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "matchExpressions":
                for index, expression in enumerate(_arr(value)):
                    if isinstance(expression, dict):
                        yield (*path, key, index), expression
            else:
                yield from _match_expressions(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _match_expressions(item, (*path, index))


_INTEGER = contract.compiled(contract.INTEGER)


def _one_integer(values: list[str]) -> bool:
    return len(values) == 1 and _INTEGER.fullmatch(values[0]) is not None


def _check_match_expressions(body: dict[str, object], edition: str) -> Iterator[Violation]:
    affinity = _template(body).get("affinity")
    for path, expression in _match_expressions(affinity, (*_TEMPLATE, "affinity")):
        operator = expression.get("operator")
        values = expression.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            continue
        problem = None
        if operator in contract.OPERATORS_WITH_VALUES and not values:
            problem = "needs at least one value"
        elif operator in contract.OPERATORS_WITHOUT_VALUES and values:
            problem = "takes no values"
        elif operator in contract.OPERATORS_ONE_INTEGER and (
            len(values) != 1 or not _INTEGER.fullmatch(values[0])
        ):
            problem = "takes exactly one value, an integer"
        if problem:
            yield _rule(
                path,
                "match-expression-values",
                f"operator {operator} {problem}; got {_short(values)}",
            )


def _check_dns_policy(body: dict[str, object], edition: str) -> Iterator[Violation]:
    configs = _configs(body)
    policy = configs.get("dns_policy")
    if configs.get("host_network") is True:
        allowed, network = ("Default", "ClusterFirstWithHostNet"), "with"
    else:
        allowed, network = ("Default", "ClusterFirst"), "without"
    # Values outside the enum are the schema's to report.
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet") and policy not in allowed:
        yield _rule(
            (*_CONFIGS, "dns_policy"),
            "dns-policy-host-network",
            f"dns_policy {policy} is not allowed {network} host_network; the API accepts "
            f"{' or '.join(allowed)}",
        )


_MAX_REPLICAS = contract.REPLICAS_MAX


def _check_edition(body: dict[str, object], edition: str) -> Iterator[Violation]:
    if edition != "platinum" and "affinity" in _template(body):
        yield _rule(
            (*_TEMPLATE, "affinity"),
            "edition-affinity",
            "affinity is only available on the platinum edition",
        )
    replicas = _int(_obj(body.get("deployment")).get("replicas"))
    if replicas is None:
        return
    if edition == contract.PROFESSIONAL and replicas > _MAX_REPLICAS[edition]:
        yield _rule(
            ("deployment", "replicas"),
            "edition-replicas",
            f"{replicas} replicas; the professional edition runs exactly {_MAX_REPLICAS[edition]} "
            f"(platinum: up to {_MAX_REPLICAS[contract.PLATINUM]})",
        )
    elif edition == contract.PLATINUM and replicas > _MAX_REPLICAS[edition]:
        yield _rule(
            ("deployment", "replicas"),
            "edition-replicas",
            f"{replicas} replicas; the platinum edition accepts fewer than "
            f"{_MAX_REPLICAS[edition] + 1}",
        )


_MAX_ARGV_CHARS = contract.ARGV_MAX


def _check_argv_length(body: dict[str, object], edition: str) -> Iterator[Violation]:
    # Both editions state the limit for command and for args separately.
    for path, container in _containers(body):
        for field in ("command", "args"):
            items = _arr(container.get(field))
            total = sum(len(item) for item in items if isinstance(item, str))
            if total > _MAX_ARGV_CHARS:
                yield _rule(
                    (*path, field),
                    "argv-length",
                    f"{field} holds {total} characters; the API accepts at most {_MAX_ARGV_CHARS}",
                )


_CODE_RULE_FUNCTIONS: tuple[_Rule, ...] = (
    _check_target,
    _check_tag_keys,
    _check_edition,
    _check_dns_policy,
    _check_match_expressions,
    _check_container_names,
    _check_argv_length,
    _check_resources,
    _check_envs,
    _check_ports,
    _check_probes,
    _check_volume_names,
)
