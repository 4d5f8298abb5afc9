"""The accounting walk: every field no rule consumed becomes a finding.

This is the structural half of "no field dropped silently" (the ledger is the other half). The
tables below only *refine* what a leftover field is reported as (its code and message); a field
absent from every table is still reported, under the generic ``KI008 unsupported-field``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from k8s2ief.paths import Path, pattern_of, render
from k8s2ief.rules import k8s_fields
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import Ledger, RawFinding
from k8s2ief.rules.probes import KUBERNETES_DEFAULTS as KUBERNETES_PROBE_DEFAULTS
from k8s2ief.rules.probes import KUBERNETES_TIMEOUT_SECONDS

POD = "spec.template.spec"
CONTAINER_LISTS = ("containers", "initContainers")

# Filled in by the API server; ignored with one info finding per document.
SERVER_FIELDS = frozenset(
    {
        "status",
        "metadata.uid",
        "metadata.resourceVersion",
        "metadata.generation",
        "metadata.creationTimestamp",
        "metadata.managedFields",
        "metadata.selfLink",
        "metadata.ownerReferences",
        'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
        'metadata.annotations["deployment.kubernetes.io/revision"]',
        "spec.template.metadata.creationTimestamp",
    }
)


def _containers(suffix: str) -> list[str]:
    return [f"{POD}.{kind}[*].{suffix}" for kind in CONTAINER_LISTS]


# Values that ask for what IEF does anyway: edge instances get no service account token and
# no service-link variables, so turning them off changes nothing (KI014, info).
AS_ON_IEF: dict[str, object] = {
    f"{POD}.automountServiceAccountToken": False,
    f"{POD}.enableServiceLinks": False,
}

# Values the API server fills in when a field is absent (what `kubectl get -o yaml` shows).
# A leftover field holding its default changes nothing, so it is summed up in one info finding.
DEFAULTS: dict[str, object] = {
    "spec.revisionHistoryLimit": 10,
    "spec.progressDeadlineSeconds": 600,
    "spec.strategy": {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
    },
    f"{POD}.schedulerName": "default-scheduler",
    f"{POD}.terminationGracePeriodSeconds": 30,
    f"{POD}.securityContext": {},
    f"{POD}.enableServiceLinks": True,
    f"{POD}.serviceAccount": None,  # compared specially: equal to serviceAccountName
    f"{POD}.dnsPolicy": "ClusterFirst",
    f"{POD}.volumes[*].configMap.defaultMode": 420,
    f"{POD}.volumes[*].secret.defaultMode": 420,
    **{p: "/dev/termination-log" for p in _containers("terminationMessagePath")},
    **{p: "File" for p in _containers("terminationMessagePolicy")},
    **{p: None for p in _containers("imagePullPolicy")},  # compared specially: depends on tag
    **{p: {} for p in _containers("resources")},
    **{p: {} for p in _containers("securityContext")},
    **{
        f"{probe}.{key}": value
        for probe in [
            *_containers("livenessProbe"),
            *_containers("readinessProbe"),
            *_containers("startupProbe"),
        ]
        for key, value in {
            **KUBERNETES_PROBE_DEFAULTS,
            "timeoutSeconds": KUBERNETES_TIMEOUT_SECONDS,
            "httpGet.scheme": "HTTP",
        }.items()
    },
}

# Leftover fields with a code of their own: pattern -> (code, why it matters on IEF).
KNOWN: dict[str, tuple[str, str]] = {
    "metadata.namespace": ("KI103", "IEF has no namespaces; the deployment lives in the project"),
    "metadata.annotations": ("KI105", "IEF deployments carry no free-form annotations"),
    "metadata.generateName": ("KI102", "IEF needs a fixed name"),
    "metadata.finalizers": ("KI008", "IEF has no finalizers"),
    "spec.selector": ("KI202", "IEF selects the deployment's own instances itself"),
    "spec.strategy": ("KI203", "IEF applies its own update strategy"),
    "spec.minReadySeconds": ("KI203", "IEF does not wait before counting an instance ready"),
    "spec.paused": ("KI203", "IEF deployments cannot be paused"),
    "spec.progressDeadlineSeconds": ("KI203", "IEF has no progress deadline"),
    "spec.revisionHistoryLimit": ("KI204", "IEF keeps no revision history"),
    "spec.template.metadata": ("KI110", "IEF gives instances no labels or annotations of yours"),
    f"{POD}.hostIPC": ("KI008", "IEF shares no IPC namespace with the host"),
    f"{POD}.securityContext": ("KI802", "IEF only carries runAsUser from the pod security context"),
    f"{POD}.serviceAccountName": (
        "KI209",
        "edge instances get no Kubernetes service account or API token",
    ),
    f"{POD}.serviceAccount": ("KI209", "edge instances get no Kubernetes service account"),
    f"{POD}.automountServiceAccountToken": ("KI209", "edge instances get no API token"),
    f"{POD}.imagePullSecrets": (
        "KI210",
        "IEF pulls with the credentials configured for its image registry (SWR), not pod secrets",
    ),
    f"{POD}.terminationGracePeriodSeconds": ("KI203", "IEF applies its own grace period"),
    f"{POD}.priorityClassName": ("KI211", "IEF has no pod priority"),
    f"{POD}.priority": ("KI211", "IEF has no pod priority"),
    f"{POD}.topologySpreadConstraints": ("KI705", "IEF has no topology spread constraints"),
    f"{POD}.nodeName": ("KI705", "IEF places instances by node_ids or group_id"),
    f"{POD}.schedulerName": ("KI705", "IEF schedules with its own scheduler"),
    f"{POD}.dnsConfig": ("KI212", "IEF takes a DNS policy only: the pod resolves without it"),
    f"{POD}.hostAliases": ("KI008", "IEF writes no extra /etc/hosts entries"),
    f"{POD}.hostname": ("KI008", "IEF names instances itself"),
    f"{POD}.subdomain": ("KI008", "IEF has no pod subdomains"),
    f"{POD}.shareProcessNamespace": ("KI008", "IEF containers do not share a PID namespace"),
    f"{POD}.runtimeClassName": ("KI008", "IEF uses the node's container runtime"),
    f"{POD}.enableServiceLinks": ("KI008", "IEF injects no service environment variables"),
    f"{POD}.readinessGates": ("KI008", "IEF has no readiness gates"),
    f"{POD}.os": ("KI008", "IEF picks the node's OS"),
    **{
        pattern: entry
        for suffix, entry in {
            "imagePullPolicy": ("KI306", "IEF applies its own pull policy"),
            "workingDir": (
                "KI315",
                "IEF has no working directory: the image's own applies, so relative paths move",
            ),
            "lifecycle": ("KI316", "IEF runs no postStart or preStop hooks"),
            "startupProbe": (
                "KI506",
                "IEF has no startup probe: its budget (initialDelaySeconds + periodSeconds x "
                "failureThreshold) is added to the liveness probe's initial delay",
            ),
            "securityContext": (
                "KI802",
                "IEF only carries privileged and runAsUser from a container security context",
            ),
            "terminationMessagePath": ("KI012", "IEF keeps no termination message"),
            "terminationMessagePolicy": ("KI012", "IEF keeps no termination message"),
            "stdin": ("KI012", "IEF attaches no stdin"),
            "stdinOnce": ("KI012", "IEF attaches no stdin"),
            "tty": ("KI012", "IEF allocates no TTY"),
            "resizePolicy": ("KI008", "IEF cannot resize in place"),
        }.items()
        for pattern in _containers(suffix)
    },
}


@handles(*KNOWN, "any other field")
def leftovers(data: object, ledger: Ledger) -> list[RawFinding]:
    """Findings for every field the rules left unconsumed, and the two per-document summaries."""
    server: list[Path] = _server_annotations(data, ledger)
    visited = _visited(ledger)
    defaults: list[Path] = []
    as_on_ief: list[Path] = []
    findings: list[RawFinding] = []
    for path, value in _unconsumed(data, (), ledger.consumed, visited):
        pattern = pattern_of(path)
        if pattern in SERVER_FIELDS or pattern.split(".", 1)[0] == "status":
            server.append(path)
        elif _is_default(pattern, value, data, path):
            defaults.append(path)
        elif pattern in AS_ON_IEF and _same(value, AS_ON_IEF[pattern]):
            as_on_ief.append(path)
        else:
            findings.append(_finding(path))
            continue
        ledger.consume(path)  # accounted for by the summary finding below
    if server:
        findings.append(
            RawFinding(
                "KI002",
                (),
                f"{len(server)} field(s) filled in by the API server were ignored: "
                + ", ".join(render(p) for p in server[:6])
                + (" ..." if len(server) > 6 else ""),
                tuple(render(p) for p in server),
            )
        )
    if defaults:
        findings.append(
            RawFinding(
                "KI010",
                (),
                f"{len(defaults)} field(s) hold Kubernetes' default values and were not needed: "
                + ", ".join(render(p) for p in defaults[:6])
                + (" ..." if len(defaults) > 6 else ""),
                tuple(render(p) for p in defaults),
            )
        )
    if as_on_ief:
        findings.append(
            RawFinding(
                "KI014",
                (),
                f"{len(as_on_ief)} field(s) ask for what IEF does anyway: "
                + ", ".join(render(p) for p in as_on_ief[:6]),
            )
        )
    return findings


def _same(value: object, wanted: object) -> bool:
    return type(value) is type(wanted) and value == wanted


def _server_annotations(data: object, ledger: Ledger) -> list[Path]:
    """Annotations the API server or kubectl added (last-applied-configuration, revision).

    When they are the only annotations left, the whole mapping is accounted for by the KI002
    summary (otherwise a cluster export would get a KI105 a plain manifest does not); when
    annotations of the user's remain, the mapping is reported as it would be without them.
    """
    base: Path = ("metadata", "annotations")
    meta = data.get("metadata") if isinstance(data, dict) else None
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(notes, dict) or base in ledger.consumed:
        return []
    found = [(*base, key) for key in notes if pattern_of((*base, key)) in SERVER_FIELDS]
    if not found:
        return []
    rest = [k for k in notes if (*base, k) not in found and (*base, k) not in ledger.consumed]
    if not rest:
        ledger.consume(base)
        return found
    if base in _visited(ledger):
        return []  # the walk goes key by key and sums the server's keys up itself
    return found  # the mapping is reported whole (KI105); these keys are counted as well


def _visited(ledger: Ledger) -> set[Path]:
    """The paths the walk descends into: those rules visited and every prefix of a consumed one."""
    prefixes: set[Path] = {()}
    for path in ledger.consumed:
        # Longest prefix first: once one is in the set, so are all the shorter ones (each was
        # added with its own), and sibling paths share most of their prefixes.
        for end in range(len(path) - 1, 0, -1):
            prefix = path[:end]
            if prefix in prefixes:
                break
            prefixes.add(prefix)
    prefixes.update(ledger.visited)
    return prefixes


def _unconsumed(
    value: object, path: Path, consumed: set[Path], visited: set[Path]
) -> list[tuple[Path, object]]:
    """Top-most paths no rule consumed (a wholly unread subtree is reported once, at its root),
    in document order."""
    found: list[tuple[Path, object]] = []
    _collect_unconsumed(value, path, consumed, visited, found)
    return found


def _collect_unconsumed(
    value: object,
    path: Path,
    consumed: set[Path],
    visited: set[Path],
    found: list[tuple[Path, object]],
) -> None:
    # Appends instead of yielding: a generator chain passes each answer up through every level.
    if path in consumed:
        return
    if path not in visited:
        found.append((path, value))
        return
    if isinstance(value, dict):
        for key, child in value.items():
            _collect_unconsumed(child, (*path, key), consumed, visited, found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _collect_unconsumed(child, (*path, index), consumed, visited, found)


def _is_default(pattern: str, value: object, document: object, path: Path = ()) -> bool:
    if pattern not in DEFAULTS:
        return False
    if pattern == f"{POD}.serviceAccount":  # the deprecated alias the server copies over
        pod = document.get("spec", {}).get("template", {}).get("spec", {})  # type: ignore[union-attr]
        return isinstance(pod, dict) and value == pod.get("serviceAccountName") == "default"
    if pattern.endswith(".imagePullPolicy"):
        return value == _default_pull_policy(document, path[:-1])
    return value == DEFAULTS[pattern]


def _default_pull_policy(document: object, container_path: Path) -> str | None:
    """The API server's choice: Always for an untagged or :latest image, else IfNotPresent."""
    node = document
    for key in container_path:
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    image = node.get("image") if isinstance(node, dict) else None
    if not isinstance(image, str):
        return None
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else None
    return "Always" if tag in (None, "latest") else "IfNotPresent"


@lru_cache(maxsize=4096)  # the same leftover paths recur in every document of a stream
def _finding(path: Path) -> RawFinding:
    """The finding for a leftover field (a frozen record: documents can share it)."""
    pattern = pattern_of(path)
    unknown = k8s_fields.unknown_key(path)
    if unknown is not None:
        key, choices = unknown
        import difflib  # only for an unknown key's did-you-mean

        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        close = close or [c for c in choices if c.lower() == key.lower()]
        hint = f"; did you mean {close[0]}?" if close else ""
        return RawFinding(
            "KI007",
            path,
            f"{key} is not a Kubernetes field here, so Kubernetes would reject or ignore it{hint}",
        )
    for prefix in _prefixes(pattern):
        if prefix in KNOWN:
            code, why = KNOWN[prefix]
            return RawFinding(code, path, f"{render(path)} was not carried: {why}")
    return RawFinding("KI008", path, f"{render(path)} has no IEF equivalent and was not carried")


def _prefixes(pattern: str) -> Iterator[str]:
    """``a.b[*].c`` -> ``a.b[*].c``, ``a.b[*]``, ``a.b``, ``a``."""
    text = pattern
    while text:
        yield text
        cut = max(text.rfind("."), text.rfind("["))
        text = text[:cut] if cut > 0 else ""
