"""The Kubernetes side: what the kubelet and the scheduler would run for a Deployment.

Read straight from the manifest (never through the converter), with the API server's
defaults: restartPolicy Always, dnsPolicy ClusterFirst, a volume without a source is an
emptyDir, probe periodSeconds 10 and failureThreshold 3, the DefaultTolerationSeconds plugin's
300 s for node failures. Service-link variables and the service account token are not
modelled (IEF injects neither; KI008, KI209 and KI014 say so). Single-node targets have no
eviction fact: there is no other node to move to, on either side.
"""

from __future__ import annotations

from collections.abc import Mapping

from k8s2ief.behaviour.facts import (
    NEVER,
    Facts,
    add_argv,
    add_env,
    ref,
    resolve_env,
    share_groups,
)
from k8s2ief.patterns import lazy

Siblings = Mapping[tuple[str, str], tuple[str, ...]]
# Kubernetes' own rule (IsEnvVarName): envFrom keys breaking it are skipped by the kubelet too.
KUBERNETES_ENV_NAME = lazy(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
# Every volume source of the Kubernetes API (VolumeSource's fields).
KUBERNETES_SOURCES = frozenset(
    [
        "awsElasticBlockStore",
        "azureDisk",
        "azureFile",
        "cephfs",
        "cinder",
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "fc",
        "flexVolume",
        "flocker",
        "gcePersistentDisk",
        "gitRepo",
        "glusterfs",
        "hostPath",
        "image",
        "iscsi",
        "nfs",
        "persistentVolumeClaim",
        "photonPersistentDisk",
        "portworxVolume",
        "projected",
        "quobyte",
        "rbd",
        "scaleIO",
        "secret",
        "storageos",
        "vsphereVolume",
    ]
)

FAILURE_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
DEFAULT_TOLERATION = 300
PROBE_DEFAULTS = {"periodSeconds": 10, "failureThreshold": 3, "initialDelaySeconds": 0}


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def pod_spec(manifest: Mapping[str, object]) -> dict:
    return _dict(_dict(_dict(manifest.get("spec")).get("template")).get("spec"))


def containers(pod: dict) -> list[tuple[str, int, dict]]:
    """(list key, index, container) for init and app containers."""
    return [
        (key, index, item)
        for key in ("initContainers", "containers")
        for index, item in enumerate(_list(pod.get(key)))
    ]


def kubernetes_facts(
    manifest: Mapping[str, object], siblings: Siblings, *, group_target: bool
) -> Facts:
    spec = _dict(manifest.get("spec"))
    pod = pod_spec(manifest)
    facts: Facts = {("replicas",): _int(spec.get("replicas"), 1)}
    facts[("instances",)] = facts[("replicas",)]
    facts[("restart",)] = pod.get("restartPolicy") or "Always"
    facts[("dns",)] = _dns(pod)
    facts[("placement",)] = placement(pod)
    if group_target:
        facts[("eviction",)] = _eviction(pod)
    volumes = _volumes(pod, facts)
    mounts: list[tuple[str, str, object]] = []
    host_network = pod.get("hostNetwork") is True
    for _, _, item in containers(pod):
        name = str(item.get("name"))
        env = _env(item, siblings, facts)
        add_env(facts, name, env)
        add_argv(facts, name, item.get("command"), item.get("args"), env)
        for mount in _list(item.get("volumeMounts")):
            volume = volumes.get(mount.get("name"))
            path = mount.get("mountPath")
            if volume is not None and isinstance(path, str):
                mounts.append((name, path, (volume, mount)))
        _probes(item, name, facts)
        _ports(item, name, facts, host_network)
    _mount_facts(mounts, facts)
    return facts


# --- env -----------------------------------------------------------------------------------


def _env(item: dict, siblings: Siblings, facts: Facts) -> dict[str, str]:
    name = item.get("name")
    sources: list[tuple[str, str, bool]] = []
    unknown = False
    for index, source in enumerate(_list(item.get("envFrom"))):
        prefix = source.get("prefix") if isinstance(source.get("prefix"), str) else ""
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            target = _dict(source.get(key))
            if key not in source:
                continue
            keys = siblings.get((kind, str(target.get("name"))))
            if keys is None:
                unknown = True
                facts[("envFrom-unknown", name, index)] = target.get("name")
                continue
            sources.extend(
                (prefix + k, ref(kind.lower(), target.get("name"), k), False)
                for k in keys
                if KUBERNETES_ENV_NAME.fullmatch(prefix + k)
            )
    for entry in _list(item.get("env")):
        var = entry.get("name")
        if not isinstance(var, str):
            continue
        value = _env_value(entry, siblings)
        if value is not None:
            sources.append((var, value[0], value[1]))
    return resolve_env(sources, unknown)


def _env_value(entry: dict, siblings: Siblings) -> tuple[str, bool] | None:
    """(value, expandable), or None when the kubelet sets nothing (an optional missing key)."""
    if "valueFrom" not in entry:
        value = entry.get("value")
        return ("" if value is None else value if isinstance(value, str) else str(value)), True
    source = _dict(entry.get("valueFrom"))
    for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
        if key in source:
            target = _dict(source[key])
            keys = siblings.get((kind, str(target.get("name"))))
            if (
                target.get("optional") is True
                and keys is not None
                and target.get("key") not in keys
            ):
                return None
            return ref(kind.lower(), target.get("name"), target.get("key")), False
    if "fieldRef" in source:
        return f"<field:{_dict(source['fieldRef']).get('fieldPath')}>", False
    if "resourceFieldRef" in source:
        return f"<resource:{_dict(source['resourceFieldRef']).get('resource')}>", False
    return "<unset>", False


# --- volumes -------------------------------------------------------------------------------


def _volumes(pod: dict, facts: Facts) -> dict[object, object]:
    """Pod volume name -> what it is; a volume with two sources is rejected by the API server."""
    result: dict[object, object] = {}
    for volume in _list(pod.get("volumes")):
        name = volume.get("name")
        kinds = sorted(k for k in volume if k in KUBERNETES_SOURCES)
        if len(kinds) > 1:
            facts[("rejected", "volume", name)] = tuple(kinds)
            continue
        kind = kinds[0] if kinds else "emptyDir"
        result[name] = (name, kind, _volume_source(kind, _dict(volume.get(kind))))
    return result


def _volume_source(kind: str, source: dict) -> object:
    if kind == "emptyDir":
        return "memory" if source.get("medium") == "Memory" else "disk"
    if kind == "hostPath":
        return source.get("path")
    if kind in ("configMap", "secret"):
        name = source.get("name" if kind == "configMap" else "secretName")
        mode = _int(source.get("defaultMode"), 420)
        items = tuple((i.get("key"), i.get("path")) for i in _list(source.get("items")))
        return (name, mode, items)
    return kind  # a source IEF has no type for: it can only differ


def _mount_facts(mounts: list[tuple[str, str, object]], facts: Facts) -> None:
    groups = share_groups(((c, p, v[0]) for c, p, v in mounts), lambda v: v[1] == "emptyDir")  # type: ignore[index]
    for container, path, (volume, mount) in mounts:  # type: ignore[misc]
        _, kind, source = volume
        read_only = mount.get("readOnly") is True or kind in ("configMap", "secret")
        extras = tuple(
            (k, mount[k]) for k in ("subPath", "subPathExpr", "mountPropagation") if k in mount
        )
        identity = groups.get(volume) if kind == "emptyDir" else None
        facts[("mount", container, path)] = (kind, source, read_only, identity, extras)


# --- probes and ports ------------------------------------------------------------------------


def _probes(item: dict, name: str, facts: Facts) -> None:
    ports = {p.get("name"): p.get("containerPort") for p in _list(item.get("ports"))}
    startup = _dict(item.get("startupProbe"))
    budget = 0
    if startup:
        facts[("probe", name, "startup")] = _handler(startup, ports)
        budget = startup_budget(startup)
    for key, kind in (("livenessProbe", "liveness"), ("readinessProbe", "readiness")):
        probe = _dict(item.get(key))
        if not probe:
            continue
        facts[("probe", name, kind)] = _handler(probe, ports)
        if kind == "liveness":
            delay = _int(probe.get("initialDelaySeconds"), 0)
            facts[("probe-start", name, kind)] = budget + delay


def startup_budget(probe: Mapping[str, object]) -> int:
    """The longest a startupProbe lets a container start: liveness checks begin after it."""
    return _int(probe.get("initialDelaySeconds"), 0) + _int(
        probe.get("periodSeconds"), PROBE_DEFAULTS["periodSeconds"]
    ) * _int(probe.get("failureThreshold"), PROBE_DEFAULTS["failureThreshold"])


def _handler(probe: dict, ports: Mapping[object, object]) -> object:
    if "exec" in probe:
        import shlex  # here: most pods have no exec probe, and shlex costs every start

        command = _dict(probe["exec"]).get("command")
        return ("exec", shlex.join(str(c) for c in command) if isinstance(command, list) else None)
    for kind in ("httpGet", "tcpSocket", "grpc"):
        if kind not in probe:
            continue
        action = _dict(probe[kind])
        port = action.get("port")
        port = ports.get(port, port) if isinstance(port, str) and not port.isdigit() else port
        port = int(port) if isinstance(port, str) and port.isdigit() else port
        if kind != "httpGet":
            return (kind, port)
        path = action.get("path") if isinstance(action.get("path"), str) else ""
        path = path if path.startswith("/") else "/" + path  # the kubelet's URL always has one
        scheme = str(action.get("scheme") or "HTTP").upper()
        return ("http", scheme, action.get("host") or None, port, path)
    return None


def _ports(item: dict, name: str, facts: Facts, host_network: bool) -> None:
    for port in _list(item.get("ports")):
        # With host networking the container binds the node's port itself, in any protocol.
        protocol = "host" if host_network else port.get("protocol") or "TCP"
        bound = port.get("containerPort") if host_network else port.get("hostPort")
        if isinstance(bound, int) and bound > 0:
            facts[("bind", protocol, bound)] = name


# --- deployment ------------------------------------------------------------------------------


def _dns(pod: dict) -> object:
    policy = pod.get("dnsPolicy") or "ClusterFirst"
    host_network = pod.get("hostNetwork") is True
    if policy == "ClusterFirst" and host_network:
        policy = "Default"  # the kubelet falls back to the node's resolver
    if policy == "ClusterFirstWithHostNet":
        policy = "ClusterFirst"
    config = _dict(pod.get("dnsConfig"))
    return (
        policy,
        tuple(config.get("nameservers") or ()),
        tuple(config.get("searches") or ()),
        tuple(sorted(str(o) for o in config.get("options") or ())),
    )


def _eviction(pod: dict) -> object:
    """Seconds until a failed node's pods leave it, per failure taint (NEVER: they stay)."""
    seconds: dict[str, object] = {}
    for toleration in _list(pod.get("tolerations")):
        effect = toleration.get("effect")
        if effect not in (None, "", "NoExecute"):
            continue
        key = toleration.get("key")
        if key and key not in FAILURE_TAINTS:
            continue
        if not key and toleration.get("operator") != "Exists":
            continue
        value = toleration.get("tolerationSeconds")
        wait = value if isinstance(value, int) and not isinstance(value, bool) else NEVER
        for taint in [key] if key else FAILURE_TAINTS:
            if seconds.get(taint) != NEVER:
                seconds[taint] = wait
    return tuple(seconds.get(t, DEFAULT_TOLERATION) for t in FAILURE_TAINTS)


def placement(pod: dict) -> object:
    """Required node labels and affinity, canonical: equal rules compare equal."""
    selector = _dict(pod.get("nodeSelector"))
    folded = [{"key": k, "operator": "In", "values": [v]} for k, v in selector.items() if k]
    affinity = _dict(pod.get("affinity"))
    node = _dict(affinity.get("nodeAffinity"))
    required = _dict(node.get("requiredDuringSchedulingIgnoredDuringExecution"))
    terms = [_dict(t) for t in required.get("nodeSelectorTerms") or []]
    if folded:
        terms = [
            {"matchExpressions": [*(t.get("matchExpressions") or []), *folded]} for t in terms
        ] or [{"matchExpressions": folded}]
    rest = {k: v for k, v in affinity.items() if k != "nodeAffinity"}
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution")
    return canonical({"terms": terms, "preferred": preferred or [], "pod": rest})


def canonical(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((str(k), canonical(v)) for k, v in value.items() if v not in ([], {})))
    if isinstance(value, list):
        return tuple(sorted((canonical(v) for v in value), key=repr))
    return value
