"""Rules of the create-deployment body that a JSON Schema cannot say.

Exactly one target, requests within limits, edition limits, unique names, ... as small functions
over the body, with the limits of the IEF contract (k8s2ief/ief/contract.py). They read the body
defensively: a value of the wrong type is the schema's to report, so a rule skips it rather than
report the same mistake twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache, lru_cache
from typing import TypeVar

from k8s2ief.ief import contract
from k8s2ief.ief.violation import Path, Violation, format_path, short

_Path = Path

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

# Each rule reads the body through the helpers below, which turn a value of the wrong type into
# "absent": the schema layer reports wrong types, so a body breaking one rule yields one violation.
# Rules append to one list (most bodies break none: a generator per rule cost more than its work).


class _Body:
    """The body being checked, with the parts most rules read, found once: the containers are
    init containers, then containers, each with its path."""

    __slots__ = ("body", "configs", "containers", "edition", "template")

    def __init__(self, body: dict[str, object], edition: str) -> None:
        self.body = body
        self.edition = edition
        self.template = _obj(_obj(body.get("deployment")).get("template"))
        self.configs = _obj(self.template.get("configs"))
        self.containers: list[tuple[_Path, dict[str, object]]] = [
            ((*_TEMPLATE, field, index), container)
            for field in ("init_containers", "containers")
            for index, container in enumerate(_arr(self.template.get(field)))
            if isinstance(container, dict)
        ]


_Rule = Callable[[_Body, list[Violation]], None]


def _obj(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _arr(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rule(out: list[Violation], path: _Path, rule: str, message: str) -> None:
    out.append(Violation(format_path(path), rule, message, path))


_TEMPLATE: _Path = ("deployment", "template")
_CONFIGS: _Path = (*_TEMPLATE, "configs")


_Key = TypeVar("_Key")
_Where = TypeVar("_Where")


def _repeats(items: Iterable[tuple[_Key, _Where]]) -> Iterator[tuple[_Key, _Where, _Where]]:
    """(key, where, where it was first) for every key seen before: the API wants them unique."""
    first: dict[_Key, _Where] = {}
    for key, where in items:
        if key in first:
            yield key, where, first[key]
        else:
            first[key] = where


def _check_target(b: _Body, out: list[Violation]) -> None:
    body = b.body
    has_group, has_nodes = "group_id" in body, "node_ids" in body
    if has_group and has_nodes:
        _rule(
            out,
            ("group_id",),
            "one-target",
            "both group_id and node_ids are set; the API deploys to one node group or one node",
        )
    elif not has_group and not has_nodes:
        _rule(out, (), "one-target", "neither group_id nor node_ids is set; the API needs one")
    nodes = _arr(body.get("node_ids"))
    if len(nodes) > 1:
        _rule(
            out,
            ("node_ids",),
            "one-node",
            f"{len(nodes)} node ids; the API deploys to one edge node (use a node group for more)",
        )
    configs = b.template.get("configs")
    if has_group and isinstance(configs, dict) and "migration" not in configs:
        _rule(
            out,
            _CONFIGS,
            "migration-with-group",
            "configs.migration is missing; the API requires it when deploying to a node group",
        )


_RESOURCE_KINDS = contract.RESOURCES
_MEMORY_LIMIT_MIN = contract.MEMORY_LIMIT_MIN


@cache
def _form(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=1024)  # the same few quantities recur across a stream's bodies
def _quantity(form: str, raw: str) -> Decimal | None:
    """``raw`` as a number if spelled as ``form`` says (another spelling is the schema's)."""
    return Decimal(raw) if _form(form).fullmatch(raw) else None


def _quantities(resources: dict[str, object], field: str) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for key, raw in _obj(resources.get(field)).items():
        kind = _RESOURCE_KINDS.get(key)
        if kind is not None and isinstance(raw, str):
            value = _quantity(kind.form, raw)
            if value is not None:
                values[key] = value
    return values


def _check_resources(b: _Body, out: list[Violation]) -> None:
    for path, container in b.containers:
        resources = container.get("resources")
        if not isinstance(resources, dict):
            continue
        limits = _quantities(resources, "limits")
        requests = _quantities(resources, "requests")
        for field, values in (("limits", limits), ("requests", requests)):
            for key, value in values.items():
                kind = _RESOURCE_KINDS[key]
                low = _MEMORY_LIMIT_MIN if (field, key) == ("limits", "memory") else kind.low
                if not low <= value <= kind.high:
                    _rule(
                        out,
                        (*path, "resources", field, key),
                        "resource-range",
                        f"{key} {field[:-1]} {value}{kind.unit} is out of range; the API accepts "
                        f"{low} to {kind.high}{kind.unit}",
                    )
        for key, request in requests.items():
            limit = limits.get(key)
            if limit is not None and request > limit:
                _rule(
                    out,
                    (*path, "resources", "requests", key),
                    "requests-within-limits",
                    f"{key} request {request} is above its limit {limit}; the API requires "
                    "requests <= limits",
                )


def _check_ports(b: _Body, out: list[Violation]) -> None:
    host_network = b.configs.get("host_network") is True
    for path, container in b.containers:
        for index, port in enumerate(_arr(container.get("ports"))):
            if not isinstance(port, dict):
                continue
            port_path = (*path, "ports", index)
            has_port, has_range = "host_port" in port, "host_port_range" in port
            if has_port and has_range:
                _rule(
                    out,
                    port_path,
                    "host-port-xor-range",
                    "both host_port and host_port_range are set; the API takes one of them",
                )
            elif not has_port and not has_range and not host_network:
                # Without the host network a container port is reached through a host port.
                _rule(
                    out,
                    port_path,
                    "host-port-xor-range",
                    "neither host_port nor host_port_range is set; without host_network the API "
                    "maps each container port to a host port",
                )
            if not has_range:
                continue
            range_path = (*port_path, "host_port_range")
            if b.edition != "platinum":
                _rule(
                    out,
                    range_path,
                    "edition-host-port-range",
                    "host_port_range is only available on the platinum edition; use host_port",
                )
            port_range = _obj(port.get("host_port_range"))
            low, high = _int(port_range.get("min_port")), _int(port_range.get("max_port"))
            if low is not None and high is not None and high <= low:
                _rule(
                    out,
                    (*range_path, "max_port"),
                    "port-range-order",
                    f"max_port {high} is not greater than min_port {low}; the API requires "
                    "max_port > min_port",
                )


def _check_probes(b: _Body, out: list[Violation]) -> None:
    for path, container in b.containers:
        for field in ("readiness_probe", "liveness_probe"):
            probe = container.get(field)
            if isinstance(probe, dict) and ("exec" in probe) == ("http_get" in probe):
                which = "both" if "exec" in probe else "neither of"
                _rule(
                    out,
                    (*path, field),
                    "probe-one-handler",
                    f"{field} has {which} exec and http_get; the API takes exactly one",
                )


_ENV_SOURCES = ("value", "value_from", "field_path")


def _check_envs(b: _Body, out: list[Violation]) -> None:
    for path, container in b.containers:
        first_index: dict[str, int] = {}
        for index, env in enumerate(_arr(container.get("envs"))):
            if not isinstance(env, dict):
                continue
            if ("value" in env) + ("value_from" in env) + ("field_path" in env) != 1:
                sources = [field for field in _ENV_SOURCES if field in env]
                found = " and ".join(sources) or "none of them"
                _rule(
                    out,
                    (*path, "envs", index),
                    "env-one-source",
                    f"env sets {found}; the API takes exactly one of value, value_from "
                    "and field_path",
                )
            value_from = env.get("value_from")
            if isinstance(value_from, dict) and ("secret" in value_from) == (
                "configmap" in value_from
            ):
                which = "both" if "secret" in value_from else "neither of"
                _rule(
                    out,
                    (*path, "envs", index, "value_from"),
                    "env-value-from-one-source",
                    f"value_from has {which} secret and configmap; the API takes exactly one",
                )
            name = env.get("name")
            if isinstance(name, str):
                if name in first_index:
                    _rule(
                        out,
                        (*path, "envs", index, "name"),
                        "unique-env-names",
                        f"env {name!r} is already defined at envs[{first_index[name]}]; "
                        "the API requires unique env names",
                    )
                else:
                    first_index[name] = index


def _check_volume_names(b: _Body, out: list[Violation]) -> None:
    """A volume name is one pod volume: mounted by several containers, or twice by one at two
    destinations, its entries must agree on what it is."""
    first: dict[str, tuple[object, object, _Path]] = {}
    for path, container in b.containers:
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
                _rule(
                    out,
                    (*here, "destination"),
                    "one-volume-per-name",
                    f"volume {name!r} is mounted twice at {destination!r}",
                )
            destinations.add((name, destination))
            kind = (entry.get("type"), entry.get("source"))
            if name not in first:
                first[name] = (*kind, here)
            elif first[name][:2] != kind:
                _rule(
                    out,
                    (*here, "name"),
                    "one-volume-per-name",
                    f"volume {name!r} is {kind[0]} {kind[1]!r} here but {first[name][0]} "
                    f"{first[name][1]!r} at {format_path(first[name][2])}; one name is one volume",
                )


def _check_container_names(b: _Body, out: list[Violation]) -> None:
    if len(b.containers) < 2:
        return  # nothing to repeat
    names = ((container.get("name"), path) for path, container in b.containers)
    for name, path, first in _repeats((n, p) for n, p in names if isinstance(n, str)):
        _rule(
            out,
            (*path, "name"),
            "unique-container-names",
            f"container {name!r} is already defined at {format_path(first)}; "
            "the API requires unique names across init_containers and containers",
        )


def _check_tag_keys(b: _Body, out: list[Violation]) -> None:
    tags = _arr(b.body.get("tags"))
    if not tags:
        return
    keys = ((_obj(tag).get("key"), index) for index, tag in enumerate(tags))
    for key, index, first in _repeats((k, i) for k, i in keys if isinstance(k, str)):
        _rule(
            out,
            ("tags", index, "key"),
            "unique-tag-keys",
            f"tag key {key!r} is already used at tags[{first}]; the API requires unique tag keys",
        )


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


def _check_match_expressions(b: _Body, out: list[Violation]) -> None:
    affinity = b.template.get("affinity")
    if not isinstance(affinity, (dict, list)):
        return
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
            len(values) != 1 or not _form(contract.INTEGER).fullmatch(values[0])
        ):
            problem = "takes exactly one value, an integer"
        if problem:
            _rule(
                out,
                path,
                "match-expression-values",
                f"operator {operator} {problem}; got {short(values)}",
            )


def _check_dns_policy(b: _Body, out: list[Violation]) -> None:
    configs = b.configs
    policy = configs.get("dns_policy")
    if configs.get("host_network") is True:
        allowed, network = ("Default", "ClusterFirstWithHostNet"), "with"
    else:
        allowed, network = ("Default", "ClusterFirst"), "without"
    # Values outside the enum are the schema's to report.
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet") and policy not in allowed:
        _rule(
            out,
            (*_CONFIGS, "dns_policy"),
            "dns-policy-host-network",
            f"dns_policy {policy} is not allowed {network} host_network; the API accepts "
            f"{' or '.join(allowed)}",
        )


_MAX_REPLICAS = contract.REPLICAS_MAX


def _check_edition(b: _Body, out: list[Violation]) -> None:
    edition = b.edition
    if edition != "platinum" and "affinity" in b.template:
        _rule(
            out,
            (*_TEMPLATE, "affinity"),
            "edition-affinity",
            "affinity is only available on the platinum edition",
        )
    replicas = _int(_obj(b.body.get("deployment")).get("replicas"))
    if replicas is None:
        return
    if edition == contract.PROFESSIONAL and replicas > _MAX_REPLICAS[edition]:
        _rule(
            out,
            ("deployment", "replicas"),
            "edition-replicas",
            f"{replicas} replicas; the professional edition runs exactly {_MAX_REPLICAS[edition]} "
            f"(platinum: up to {_MAX_REPLICAS[contract.PLATINUM]})",
        )
    elif edition == contract.PLATINUM and replicas > _MAX_REPLICAS[edition]:
        _rule(
            out,
            ("deployment", "replicas"),
            "edition-replicas",
            f"{replicas} replicas; the platinum edition accepts fewer than "
            f"{_MAX_REPLICAS[edition] + 1}",
        )


_MAX_ARGV_CHARS = contract.ARGV_MAX


def _check_argv_length(b: _Body, out: list[Violation]) -> None:
    # Both editions state the limit for command and for args separately.
    for path, container in b.containers:
        for field in ("command", "args"):
            items = container.get(field)
            total = sum(len(i) for i in items if isinstance(i, str)) if _arr(items) else 0
            if total > _MAX_ARGV_CHARS:
                _rule(
                    out,
                    (*path, field),
                    "argv-length",
                    f"{field} holds {total} characters; the API accepts at most {_MAX_ARGV_CHARS}",
                )


RULES: tuple[_Rule, ...] = (
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


def check_rules(body: dict[str, object], edition: str, out: list[Violation]) -> None:
    """Append to ``out`` every violation of the rules, rule by rule in the order of RULES."""
    checked = _Body(body, edition)
    for rule in RULES:
        rule(checked, out)
