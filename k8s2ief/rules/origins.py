"""Where each part of a body came from in the manifest, so that a finding about the body (a
validator violation, KI901) points at the manifest field, not at line 1.

Rules record the manifest path of the objects they build (containers, envs, ports, mounts,
probes) with ``record``; ``finish_body`` then walks the body once and ``manifest_path``
answers for any body path: the nearest recorded object, then the body keys below it translated
back to Kubernetes' names where they have one.
"""

from __future__ import annotations

from k8s2ief.paths import Path
from k8s2ief.rules.ledger import Ledger

POD: Path = ("spec", "template", "spec")
# Body paths every body has, and the manifest field each comes from.
FIXED: dict[Path, Path] = {
    ("name",): ("metadata", "name"),
    ("description",): ("metadata", "annotations"),
    ("tags",): ("metadata", "labels"),
    ("deployment", "replicas"): ("spec", "replicas"),
    ("deployment", "annotations"): ("metadata", "annotations"),
    ("deployment", "template"): ("spec", "template"),
    ("deployment", "template", "configs"): POD,
    ("deployment", "template", "configs", "host_network"): (*POD, "hostNetwork"),
    ("deployment", "template", "configs", "host_pid"): (*POD, "hostPID"),
    ("deployment", "template", "configs", "restart_policy"): (*POD, "restartPolicy"),
    ("deployment", "template", "configs", "dns_policy"): (*POD, "dnsPolicy"),
    ("deployment", "template", "configs", "toleration_seconds"): (*POD, "tolerations"),
    ("deployment", "template", "configs", "migration"): (*POD, "tolerations"),
    ("deployment", "template", "affinity"): (*POD, "affinity"),
}
# Body keys below a recorded object, in Kubernetes' spelling.
KEYS: dict[str, str] = {
    "image_url": "image",
    "liveness_probe": "livenessProbe",
    "readiness_probe": "readinessProbe",
    "http_get": "httpGet",
    "initial_delay_seconds": "initialDelaySeconds",
    "timeout_seconds": "timeoutSeconds",
    "container_port": "containerPort",
    "host_port": "hostPort",
    "host_ip": "hostIP",
    "destination": "mountPath",
    "read_only": "readOnly",
    "value_from": "valueFrom",
}
IDENTICAL = frozenset(
    {"name", "value", "command", "args", "resources", "path", "port", "host", "scheme", "exec"}
)


def record(ledger: Ledger, built: dict[str, object], path: Path) -> None:
    # The object is kept with its path, so that its id cannot be reused by another one. Only
    # mappings are recorded (containers, envs, ports, mounts, probes): the walk below looks
    # mappings up and nothing else.
    ledger.origins[id(built)] = (built, path)


def finish_body(body: dict[str, object], ledger: Ledger) -> dict[str, object]:
    """The body as sent: unset fields omitted, never sent as null (a missing image is a
    finding, not a null). The same walk fills ``ledger.body_paths``: body path -> manifest path
    of every recorded object (one walk instead of two; they cost a tenth of the rules' time)."""
    found = dict(FIXED)
    recorded = ledger.origins
    finished = _finish(body, (), recorded, found)
    ledger.body_paths = found
    recorded.clear()  # the objects are no longer needed once their paths are known
    return finished  # type: ignore[return-value]


def _finish(
    node: object, at: Path, recorded: dict[int, tuple[object, Path]], found: dict[Path, Path]
) -> object:
    # A module function, not a closure: a nested function that calls itself is a reference
    # cycle (function -> cell -> function), which kept every body's path table alive until
    # the next garbage collection. Leaves are copied without a call, and only mappings are
    # looked up among the recorded objects (only mappings are recorded). A loop, not a dict
    # comprehension: in this Python a comprehension is a call of its own per mapping.
    if isinstance(node, dict):
        hit = recorded.get(id(node))
        if hit is not None:
            found[at] = hit[1]
        finished = {}
        for key, value in node.items():
            if value is None:
                continue
            if isinstance(value, (dict, list)):
                value = _finish(value, (*at, key), recorded, found)
            finished[key] = value
        return finished
    if isinstance(node, list):
        return [
            _finish(v, (*at, i), recorded, found) if isinstance(v, (dict, list)) else v
            for i, v in enumerate(node)
        ]
    return node


def manifest_path(origins: dict[Path, Path], body_path: Path) -> Path:
    for end in range(len(body_path), -1, -1):
        base = origins.get(body_path[:end])
        if base is None:
            continue
        result = list(base)
        for key in body_path[end:]:
            name = (
                KEYS.get(key, key if key in IDENTICAL else None) if isinstance(key, str) else None
            )
            if name is None:
                break
            result.append(name)
        return tuple(result)
    return ()
