"""The IEF side: what IEF would run for a body, by the seeds' rules.

IEF defaults: dns_policy Default (the node's resolver), initial_delay_seconds 10, migration
false; migration and toleration_seconds act only for node groups. Port mappings carry no
protocol (TCP). Containers resolve ``$(VAR)`` against the envs before them, as the kubelet on
the edge node does. Volumes of one name across the body's containers are one pod volume.
"""

from __future__ import annotations

import shlex

from k8s2ief.behaviour.facts import (
    IEF_PROBE_DEFAULT_DELAY,
    NEVER,
    Facts,
    add_argv,
    add_env,
    ref,
    resolve_env,
    share_groups,
)
from k8s2ief.behaviour.kubernetes import FAILURE_TAINTS, canonical

IEF_DEFAULT_DNS = "Default"


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def containers(body: dict) -> list[dict]:
    template = _dict(_dict(body.get("deployment")).get("template"))
    return [*_list(template.get("init_containers")), *_list(template.get("containers"))]


def ief_facts(body: dict) -> Facts:
    deployment = _dict(body.get("deployment"))
    template = _dict(deployment.get("template"))
    configs = _dict(template.get("configs"))
    replicas = deployment.get("replicas", 1)
    facts: Facts = {("replicas",): replicas}
    items = containers(body)
    host_network = configs.get("host_network") is True
    binds_node_port = any(_bound_ports(c, host_network) for c in items)
    on_one_node = "group_id" not in body
    one_instance = on_one_node and binds_node_port and isinstance(replicas, int)
    facts[("instances",)] = min(replicas, 1) if one_instance else replicas  # type: ignore[type-var]
    facts[("restart",)] = configs.get("restart_policy", "Always")
    facts[("dns",)] = _dns(configs)
    facts[("placement",)] = _placement(template.get("affinity"))
    if not on_one_node:
        facts[("eviction",)] = _eviction(configs)
    mounts = []
    app_ports: set[int] = set()  # init containers end before the app containers bind
    for item in items:
        name = str(item.get("name"))
        env = resolve_env(_env(e) for e in _list(item.get("envs")))
        add_env(facts, name, env)
        add_argv(facts, name, item.get("command"), item.get("args"), env)
        for volume in _list(item.get("volumes")):
            mounts.append((name, volume))
        _probes(item, name, facts)
        init = any(item is c for c in _list(template.get("init_containers")))
        protocol = "host" if host_network else "TCP"  # mappings are TCP; host ports any
        for port in _bound_ports(item, host_network):
            if not init and port in app_ports:
                facts[("conflict", protocol, port)] = name  # a second mapping of the same port
            if not init:
                app_ports.add(port)
            facts[("bind", protocol, port)] = name
    _mount_facts(mounts, facts)
    return facts


def _bound_ports(item: dict, host_network: bool) -> list[int]:
    """The node ports a container binds: its host ports, or with host networking its ports."""
    bound = []
    for port in _list(item.get("ports")):
        number = port.get("host_port")
        if host_network and number is None:
            number = port.get("container_port")
        if isinstance(number, int) and number > 0:
            bound.append(number)
    return bound


def _env(entry: dict) -> tuple[str, str, bool]:
    name = str(entry.get("name"))
    if "value" in entry:
        return name, str(entry["value"]), True
    if "field_path" in entry:
        return name, f"<field:{entry['field_path']}>", False
    source = _dict(entry.get("value_from"))
    for kind in ("configmap", "secret"):
        if kind in source:
            target = _dict(source[kind])
            return name, ref(kind, target.get("name"), target.get("key")), False
    return name, "<unset>", False


def _mount_facts(mounts: list[tuple[str, dict]], facts: Facts) -> None:
    def identity(volume: dict) -> tuple[object, object, object]:
        return volume.get("name"), volume.get("type"), volume.get("source")

    groups = share_groups(
        ((c, str(v.get("destination")), identity(v)) for c, v in mounts),
        lambda key: key[1] == "emptyDir",  # type: ignore[index]
    )
    for container, volume in mounts:
        kind = volume.get("type")
        source: object = volume.get("source")
        if kind in ("configMap", "secret"):
            source = (source, volume.get("default_mode", 420), ())
        facts[("mount", container, volume.get("destination"))] = (
            kind,
            source,
            volume.get("read_only") is True,
            groups.get(identity(volume)) if kind == "emptyDir" else None,
            (),
        )


def _probes(item: dict, name: str, facts: Facts) -> None:
    for field, kind in (("liveness_probe", "liveness"), ("readiness_probe", "readiness")):
        probe = _dict(item.get(field))
        if not probe:
            continue
        facts[("probe", name, kind)] = _handler(probe)
        if kind == "liveness":
            delay = probe.get("initial_delay_seconds", IEF_PROBE_DEFAULT_DELAY)
            facts[("probe-start", name, kind)] = delay


def _handler(probe: dict) -> object:
    if "exec" in probe:
        command = _dict(probe["exec"]).get("command")
        # IEF splits the command line as a shell would; compare it as the argv it becomes.
        try:
            return ("exec", shlex.join(shlex.split(str(command))))
        except ValueError:
            return ("exec", command)
    action = _dict(probe.get("http_get"))
    if action:
        scheme = str(action.get("scheme") or "HTTP").upper()
        return ("http", scheme, action.get("host") or None, action.get("port"), action.get("path"))
    return None


def _dns(configs: dict) -> object:
    policy = configs.get("dns_policy") or IEF_DEFAULT_DNS
    if policy == "ClusterFirstWithHostNet":
        policy = "ClusterFirst"
    return (policy, (), (), ())


def _eviction(configs: dict) -> object:
    if configs.get("migration") is not True:
        return (NEVER, NEVER)
    seconds = configs.get("toleration_seconds")
    return tuple(seconds for _ in FAILURE_TAINTS)


def _placement(affinity: object) -> object:
    rules = _dict(affinity)
    node = _dict(rules.get("nodeAffinity"))
    required = _dict(node.get("requiredDuringSchedulingIgnoredDuringExecution"))
    rest = {k: v for k, v in rules.items() if k != "nodeAffinity"}
    return canonical(
        {
            "terms": list(required.get("nodeSelectorTerms") or []),
            "preferred": node.get("preferredDuringSchedulingIgnoredDuringExecution") or [],
            "pod": rest,
        }
    )
