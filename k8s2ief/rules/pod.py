"""deployment.template.configs: host network and PID, restart and DNS policy, migration."""

from __future__ import annotations

from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View
from k8s2ief.rules.metadata import ANNOTATION_MIGRATION

RESTART_POLICIES = ("Always", "OnFailure", "Never")
KUBERNETES_DNS_POLICY = "ClusterFirst"  # what the API server fills in when dnsPolicy is absent
# Taints a node gets when it fails; tolerating them for N seconds is what IEF calls
# toleration_seconds (how long a failed node's instances wait before they migrate).
FAILURE_TAINTS = ("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")
KUBERNETES_FAILURE_TOLERATION = 300  # the DefaultTolerationSeconds admission plugin's value
TRUE_WORDS, FALSE_WORDS = ("true", "yes", "1"), ("false", "no", "0")


@handles("spec.template.spec.hostNetwork", "spec.template.spec.hostPID")
def configs(pod: View | None, ours: dict[str, str], group_target: bool) -> dict[str, object]:
    """The PodConfigs object, keys in the API's order."""
    if pod is None:
        return {
            "host_network": False,
            "restart_policy": "Always",
            "dns_policy": KUBERNETES_DNS_POLICY,
        }
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


@handles("spec.template.spec.restartPolicy")
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


@handles("spec.template.spec.dnsPolicy")
def _dns_policy(pod: View, host_network: bool) -> str | None:
    """IEF's default is Default (the node's resolver); Kubernetes' is ClusterFirst, so a pod
    without host networking gets ClusterFirst written out. With host networking Kubernetes'
    ClusterFirst resolves like Default, IEF's default: nothing to emit."""
    if "dnsConfig" in pod:
        pod.report(
            "dnsConfig",
            "KI212",
            "dnsConfig (nameservers, searches, options) is not carried: IEF takes a DNS policy "
            "only, so the pod resolves names without them",
        )
    policy = pod.text("dnsPolicy", KUBERNETES_DNS_POLICY)
    if policy == KUBERNETES_DNS_POLICY:
        return None if host_network else KUBERNETES_DNS_POLICY
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


def _tolerates_failures(toleration: View) -> bool:
    """Whether a toleration matches the node-failure taints (by key, or every NoExecute taint)."""
    key = toleration.peek("key")
    effect = toleration.peek("effect") or "NoExecute"
    if effect != "NoExecute":
        return False
    if key:
        return key in FAILURE_TAINTS
    return toleration.peek("operator") == "Exists"


@handles("spec.template.spec.tolerations")
def _failure_toleration(pod: View) -> tuple[bool, int | None]:
    """(whether the pod stays on a failed node for ever, else the smallest wait in seconds)."""
    smallest: int | None = None
    forever: set[object] = set()
    waits: dict[object, int] = {}
    for toleration in pod.children("tolerations"):
        key = toleration.peek("key")
        seconds = toleration.peek("tolerationSeconds")
        if not _tolerates_failures(toleration):
            pod.ledger.report(
                "KI207",
                toleration.path,
                f"toleration of {key or 'every taint'} has no IEF equivalent: IEF only knows how "
                "long instances wait on a failed node (node.kubernetes.io/unreachable, not-ready)",
            )
            continue
        taints = [key] if key else list(FAILURE_TAINTS)
        if key:
            toleration.consume("key", "operator", "effect", "tolerationSeconds", "value")
        else:
            pod.ledger.report(
                "KI207",
                toleration.path,
                "a toleration of every taint is carried only for node failures (instances stay "
                "on a failed node); IEF has no other taints to tolerate",
            )
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            for taint in taints:
                waits[taint] = min(waits.get(taint, seconds), seconds)
        else:
            forever.update(taints)
    if forever >= set(FAILURE_TAINTS):
        return True, None
    for taint in FAILURE_TAINTS:
        if taint not in forever:
            wait = waits.get(taint, KUBERNETES_FAILURE_TOLERATION)
            smallest = wait if smallest is None else min(smallest, wait)
    if waits and len({waits.get(t, KUBERNETES_FAILURE_TOLERATION) for t in FAILURE_TAINTS}) > 1:
        pod.ledger.report(
            "KI207",
            pod.at("tolerations"),
            "the node-failure taints are tolerated for different times; IEF has one "
            f"toleration_seconds, so the smallest ({smallest} s) was used",
            consume=False,
        )
    return False, smallest if waits else None


@handles('metadata.annotations["k8s2ief.io/migration"]')
def _migration(
    pod: View, ours: dict[str, str], group_target: bool
) -> tuple[bool | None, int | None]:
    """IEF's migration flag and toleration_seconds.

    The seeds: both act only when deploying to a node group, where migration is mandatory.
    Kubernetes moves a failed node's pods after the failure tolerations' time (300 s unless the
    pod says otherwise; never when tolerated without tolerationSeconds), so with a group
    migration is true with that time, or false for "never". With a single node there is nowhere
    to move: migration appears only when the annotation asks, toleration_seconds as written.
    """
    forever, seconds = _failure_toleration(pod)
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
            migration = not forever
        if migration and seconds is None:
            seconds = KUBERNETES_FAILURE_TOLERATION
        if not migration:
            seconds = None
    return migration, seconds
