"""deployment.template.configs: host network and PID, restart and DNS policy, migration."""

from __future__ import annotations

from k8s2ief.rules.ledger import View
from k8s2ief.rules.metadata import ANNOTATION_MIGRATION

RESTART_POLICIES = ("Always", "OnFailure", "Never")
KUBERNETES_DNS_POLICY = "ClusterFirst"  # what the API server fills in when dnsPolicy is absent
# Taints a node gets when it fails; tolerating them for N seconds is what IEF calls
# toleration_seconds (how long a failed node's instances wait before they migrate).
FAILURE_TAINTS = ("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")
KUBERNETES_FAILURE_TOLERATION = 300  # the DefaultTolerationSeconds admission plugin's value
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")


def configs(pod: View | None, ours: dict[str, str], group_target: bool) -> dict[str, object]:
    """The PodConfigs object, keys in the API's order."""
    if pod is None:
        return {"host_network": False, "restart_policy": "Always"}
    host_network = bool(pod.flag("hostNetwork", False))
    result: dict[str, object] = {"host_network": host_network}
    host_pid = pod.flag("hostPID")
    if host_pid is not None:
        result["host_pid"] = host_pid
    migration, seconds = _migration(pod, ours, group_target)
    if migration is not None:
        result["migration"] = migration
    result["restart_policy"] = _restart_policy(pod)
    if seconds is not None:
        result["toleration_seconds"] = seconds
    dns = _dns_policy(pod, host_network)
    if dns is not None:
        result["dns_policy"] = dns
    return result


def _restart_policy(pod: View) -> str:
    policy = pod.text("restartPolicy", "Always")
    if policy not in RESTART_POLICIES:
        pod.note(
            "restartPolicy",
            "KI208",
            f"restartPolicy {policy!r} is not one of {', '.join(RESTART_POLICIES)}; "
            "Always was used",
        )
        return "Always"
    if policy != "Always":
        pod.note(
            "restartPolicy",
            "KI208",
            "a Deployment only accepts restartPolicy Always in Kubernetes; "
            f"IEF will apply {policy}",
        )
    return policy  # type: ignore[return-value]


def _dns_policy(pod: View, host_network: bool) -> str | None:
    if pod.peek("dnsPolicy") == KUBERNETES_DNS_POLICY:
        # Kubernetes' default: the same body as a manifest without dnsPolicy (the API server
        # and kubectl get -o yaml always show it); the accounting walk sums it up under KI010.
        # With hostNetwork it resolves like Default, which is also IEF's default: nothing to emit.
        return None
    policy = pod.text("dnsPolicy")
    if policy is None:
        return None
    if policy == "None":
        pod.note(
            "dnsPolicy",
            "KI206",
            "dnsPolicy None (DNS only from dnsConfig) has no IEF equivalent; Default was used",
        )
        return "Default"
    if policy == "ClusterFirstWithHostNet" and not host_network:
        pod.note(
            "dnsPolicy",
            "KI205",
            "ClusterFirstWithHostNet without hostNetwork behaves as ClusterFirst; emitted so",
        )
        return "ClusterFirst"
    if policy not in ("Default", "ClusterFirst", "ClusterFirstWithHostNet"):
        pod.note("dnsPolicy", "KI206", f"dnsPolicy {policy!r} is not valid; Default was used")
        return "Default"
    return policy


def _failure_toleration_seconds(pod: View) -> int | None:
    """The smallest tolerationSeconds of the node-failure tolerations; others are reported."""
    smallest: int | None = None
    for toleration in pod.children("tolerations"):
        key = toleration.peek("key")
        seconds = toleration.peek("tolerationSeconds")
        effect = toleration.peek("effect", "NoExecute")
        if key in FAILURE_TAINTS and isinstance(seconds, int) and effect == "NoExecute":
            toleration.consume("key", "operator", "effect", "tolerationSeconds", "value")
            smallest = seconds if smallest is None else min(smallest, seconds)
            continue
        pod.ledger.report(
            "KI207",
            toleration.path,
            f"toleration of {key or 'every taint'} has no IEF equivalent: IEF only knows how "
            "long instances wait on a failed node (node.kubernetes.io/unreachable or not-ready "
            "with tolerationSeconds)",
        )
    return smallest


def _migration(
    pod: View, ours: dict[str, str], group_target: bool
) -> tuple[bool | None, int | None]:
    """IEF's migration flag and toleration_seconds.

    With a node group IEF needs ``migration``: Kubernetes reschedules a failed node's pods, so
    it defaults to true, waiting Kubernetes' default 300 s unless tolerations say otherwise.
    With a single node both appear only when the manifest asks for them.
    """
    seconds = _failure_toleration_seconds(pod)
    asked = ours.get(ANNOTATION_MIGRATION)
    migration: bool | None = None
    if asked is not None:
        word = asked.strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            migration = word in TRUE_WORDS
        else:
            pod.ledger.report(
                "KI111",
                ("metadata", "annotations", ANNOTATION_MIGRATION),
                f"{ANNOTATION_MIGRATION} must be true or false, not {asked!r}",
                consume=False,
            )
    if group_target:
        if migration is None:
            migration = True
        if migration and seconds is None:
            seconds = KUBERNETES_FAILURE_TOLERATION
    elif seconds is not None and migration is None:
        migration = True
    return migration, seconds
