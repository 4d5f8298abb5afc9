"""The conversion matrix: what becomes of each Kubernetes field (docs/mapping.md is generated
from this table, the accounting tables and the code registry: scripts/gen_mapping.py).

The rows for carried fields are kept next to the rules they describe, and
tests/test_mapping.py checks them against what the rules actually consume on the corpus and
the golden cases, so the matrix cannot silently fall behind the code.
"""

from __future__ import annotations

from typing import NamedTuple

from k8s2ief.ief import contract

POD = "spec.template.spec"
C = f"{POD}.containers[*]"  # every row under C applies to initContainers[*] as well


class Row(NamedTuple):
    kubernetes: str
    ief: str
    rule: str
    codes: str = ""
    subtree: bool = False  # the row covers every field below it (a label map, a selector)


CARRIED: list[Row] = [
    Row(
        "apiVersion",
        "-",
        "apps/v1, apps/v1beta1, apps/v1beta2, extensions/v1beta1 accepted",
        "KI004",
    ),
    Row("kind", "-", "Deployment converts; ConfigMap/Secret feed envFrom; others skipped", "KI003"),
    Row(
        "metadata.name",
        "name",
        f"copied; must be IEF-valid (<= {contract.NAME_MAX}, [a-z0-9-]); --name overrides",
        "KI101 KI102 KI109",
    ),
    Row(
        "metadata.labels",
        "tags",
        f"pairs valid under both editions (key <= {contract.TAG_KEY_MAX}, "
        f"value <= {contract.TAG_VALUE_MAX} of [A-Za-z0-9_-]), at most {contract.TAGS_MAX}",
        "KI104",
        subtree=True,
    ),
    Row(
        'metadata.annotations["k8s2ief.io/description"]',
        "description",
        f"copied when <= {contract.DESCRIPTION_MAX} characters without "
        f"{contract.DESCRIPTION_FORBIDDEN}",
        "KI106",
    ),
    Row('metadata.annotations["k8s2ief.io/source"]', "source", "copied"),
    Row(
        'metadata.annotations["k8s2ief.io/node-id"]',
        "node_ids",
        "[id]; overrides --node-id",
        "KI107 KI108",
    ),
    Row(
        'metadata.annotations["k8s2ief.io/group-id"]',
        "group_id",
        "overrides --group-id",
        "KI107 KI108",
    ),
    Row(
        'metadata.annotations["k8s2ief.io/migration"]',
        "deployment.template.configs.migration",
        "true|false; with a group target default true, or false when the pod tolerates node "
        "failures for ever; with a node only when given",
        "KI111",
    ),
    Row(
        'metadata.annotations["k8s2ief.io/ring-controller"]',
        "deployment.annotations.ring_controller",
        "only ascend-1980",
        "KI111",
    ),
    Row(
        'metadata.annotations["k8s2ief.io/autonomy-edge-selector"]',
        "deployment.annotations.autonomy_edge_selector",
        "copied",
    ),
    Row('metadata.annotations["k8s2ief.io/ignore"]', "-", "codes suppressed by audit", "KI111"),
    Row(
        "spec.replicas",
        "deployment.replicas",
        f"absent means 1; professional: {contract.REPLICAS_MAX[contract.PROFESSIONAL]}, platinum: "
        f"< {contract.REPLICAS_MAX[contract.PLATINUM] + 1}",
        "KI201",
    ),
    Row(f"{POD}.hostNetwork", "configs.host_network", "always emitted (default false)"),
    Row(f"{POD}.hostPID", "configs.host_pid", "when set"),
    Row(f"{POD}.restartPolicy", "configs.restart_policy", "default Always", "KI208"),
    Row(
        f"{POD}.dnsPolicy",
        "configs.dns_policy",
        "ClusterFirst (also when absent) -> ClusterFirst without host network, nothing with it "
        "(IEF's default Default is how Kubernetes resolves then); None -> Default",
        "KI205 KI206 KI212",
    ),
    Row(
        f"{POD}.tolerations",
        "configs.toleration_seconds",
        "smallest tolerationSeconds of node.kubernetes.io/unreachable|not-ready (NoExecute; "
        "an absent one counts 300, Kubernetes' default); tolerated for ever: a group gets "
        "migration false; with a group target default 300",
        "KI207",
        subtree=True,
    ),
    Row(
        f"{POD}.securityContext.runAsUser",
        "containers[*].run_as_user",
        "default for containers without their own",
        "KI803",
    ),
    Row(
        f"{POD}.affinity.nodeAffinity",
        "template.affinity.nodeAffinity",
        "camelCase keys kept; operators checked (platinum)",
        "KI701 KI702 KI703",
        subtree=True,
    ),
    Row(
        f"{POD}.affinity.podAffinity",
        "template.affinity.podAffinity",
        "labelSelector, namespaces, topologyKey, weight (platinum)",
        "KI701 KI702 KI703",
        subtree=True,
    ),
    Row(
        f"{POD}.affinity.podAntiAffinity",
        "template.affinity.podAntiAffinity",
        "as podAffinity (platinum)",
        "KI701 KI702 KI703",
        subtree=True,
    ),
    Row(
        f"{POD}.nodeSelector",
        "template.affinity.nodeAffinity",
        "In expressions folded into every required node selector term (platinum); "
        "professional: KI707 with a node target, KI701 with a group",
        "KI701 KI704 KI707",
        subtree=True,
    ),
    Row(f"{POD}.initContainers", "template.init_containers", "each as a container", "KI314"),
    Row(f"{POD}.containers", "template.containers", "each as below", "KI317 KI318"),
    Row(
        f"{POD}.volumes",
        "containers[*].volumes",
        "joined with each container's volumeMounts; no source means emptyDir; two sources: KI613",
        "KI602 KI608 KI613",
    ),
    Row(
        f"{POD}.volumes[*].name",
        "containers[*].volumes[*].name",
        "joins the volume with its mounts; one IEF name per pod volume, unique in the pod",
        "KI601",
    ),
    Row(f"{C}.name", "name", f"must be IEF-valid (<= {contract.NAME_MAX}, [a-z0-9-])", "KI308"),
    Row(f"{C}.image", "image_url", "copied unchanged (version left empty)", "KI309"),
    Row(f"{C}.command", "command", f"copied; <= {contract.ARGV_MAX:,} characters", "KI305"),
    Row(
        f"{C}.args",
        "args",
        f"copied; <= {contract.ARGV_MAX:,} characters (apart from command)",
        "KI305",
    ),
    Row(
        f"{C}.env[*].name",
        "envs[*].name",
        "[A-Za-z_][A-Za-z0-9_]*; after the envFrom keys, in order; the last definition wins",
        "KI302 KI303",
    ),
    Row(
        f"{C}.env[*].value",
        "envs[*].value",
        "must be a string; $(VAR) resolves as in Kubernetes",
        "KI301 KI321",
    ),
    Row(
        f"{C}.env[*].valueFrom.secretKeyRef",
        "envs[*].value_from.secret",
        "{name, key}",
        "KI313",
        subtree=True,
    ),
    Row(
        f"{C}.env[*].valueFrom.configMapKeyRef",
        "envs[*].value_from.configmap",
        "{name, key}",
        "KI313",
        subtree=True,
    ),
    Row(
        f"{C}.env[*].valueFrom.fieldRef",
        "envs[*].field_path",
        "status.hostIP only",
        "KI312",
        subtree=True,
    ),
    Row(
        f"{C}.envFrom",
        "envs[*].value_from",
        "expanded per key, first and in order (a later source wins), when the ConfigMap or "
        "Secret is in the input",
        "KI302 KI310 KI311",
        subtree=True,
    ),
    Row(
        f"{C}.ports[*].containerPort",
        "ports[*].container_port",
        "copied; without hostPort and host network, also the host port",
        "KI319 KI320",
    ),
    Row(f"{C}.ports[*].hostPort", "ports[*].host_port", "copied; 0 means unset", "KI320"),
    Row(f"{C}.ports[*].hostIP", "ports[*].host_ip", "copied"),
    Row(
        f"{C}.ports[*].protocol",
        "-",
        "TCP only; TCP and UDP on one port: one mapping; with host network the container "
        "binds any protocol itself",
        "KI304",
    ),
    Row(f"{C}.ports[*].name", "-", "resolves named probe ports", "KI307"),
    Row(
        f"{C}.resources.limits",
        "resources.limits",
        "cpu in cores, memory in MiB ('MB'), nvidia.com/gpu x --gpu-memory-mb, "
        "huawei.com/Ascend310(B) -> npu",
        "KI401 KI403 KI404 KI405 KI406 KI407 KI408",
        subtree=True,
    ),
    Row(
        f"{C}.resources.requests",
        "resources.requests",
        "as limits; <= limits",
        "KI401 KI402",
        subtree=True,
    ),
    Row(f"{C}.livenessProbe", "liveness_probe", "see the probe rows", "KI502 KI504 KI505"),
    Row(f"{C}.readinessProbe", "readiness_probe", "see the probe rows", "KI502 KI504 KI505"),
    Row(
        f"{C}.livenessProbe.httpGet",
        "liveness_probe.http_get",
        "path (with a leading '/', as the kubelet requests it), port (names resolved), host, "
        "scheme",
        "KI503 KI507",
        subtree=True,
    ),
    Row(
        f"{C}.livenessProbe.exec.command",
        "liveness_probe.exec.command",
        "list joined with POSIX shell quoting",
    ),
    Row(
        f"{C}.livenessProbe.initialDelaySeconds",
        "liveness_probe.initial_delay_seconds",
        "0 or absent -> 1; plus the startupProbe's budget (liveness); "
        f"{contract.PROBE_SECONDS_MIN}..{contract.PROBE_SECONDS_MAX}",
        "KI501 KI506 KI508",
    ),
    Row(
        f"{C}.livenessProbe.timeoutSeconds",
        "liveness_probe.timeout_seconds",
        f"{contract.PROBE_SECONDS_MIN}..{contract.PROBE_SECONDS_MAX}",
        "KI508",
    ),
    Row(
        f"{C}.volumeMounts[*].name",
        "volumes[*].name",
        f"lowercase letters and digits, <= {contract.VOLUME_NAME_MAX}, unique",
        "KI601 KI609",
    ),
    Row(f"{C}.volumeMounts[*].mountPath", "volumes[*].destination", "copied"),
    Row(
        f"{C}.volumeMounts[*].readOnly",
        "volumes[*].read_only",
        "copied; always true for configMap and secret",
    ),
    Row(
        f"{POD}.volumes[*].configMap",
        "volumes[*] type configMap",
        "source = name, default_mode = defaultMode",
        "KI604 KI611",
        subtree=True,
    ),
    Row(
        f"{POD}.volumes[*].secret",
        "volumes[*] type secret",
        "source = secretName, default_mode = defaultMode",
        "KI604 KI611",
        subtree=True,
    ),
    Row(
        f"{POD}.volumes[*].emptyDir",
        "volumes[*] type emptyDir",
        "source = memory (medium Memory) or disk",
        "KI606",
        subtree=True,
    ),
    Row(
        f"{POD}.volumes[*].hostPath",
        "volumes[*] type hostPath",
        "source = path",
        "KI607 KI610",
        subtree=True,
    ),
    Row(f"{C}.securityContext.privileged", "privileged", "copied", "KI801"),
    Row(
        f"{C}.securityContext.runAsUser",
        "run_as_user",
        f"{contract.RUN_AS_USER_MIN}..{contract.RUN_AS_USER_MAX}",
        "KI803",
    ),
]


class Decision(NamedTuple):
    """Why a code has the severity it has, where the choice was not obvious."""

    code: str
    severity: str
    why: str


SEVERITY_DECISIONS: list[Decision] = [
    Decision(
        "KI319",
        "warning",
        "The assumed host port opens the container port on the node's address, where Kubernetes "
        "kept it on the pod's own IP: reachable from outside and able to collide with the node's "
        "services. It runs, but differently (README: warning). Collisions are KI320 errors.",
    ),
    Decision(
        "KI320",
        "error",
        "Two binds of one node port mean an instance that cannot start: replicas on one node, "
        "two mappings of one body, or two deployments of one run for the same node. "
        "--host-port-range (platinum) lets IEF choose free ports and resolves it. With a node "
        "group the scheduler can spread such instances over the group's nodes, as Kubernetes "
        "does with hostPorts, so a group target is not reported. An init container's port "
        "does not clash with the app containers' (it has ended by then).",
    ),
    Decision(
        "KI304",
        "error",
        "IEF mappings are TCP: without host networking a UDP or SCTP port receives nothing, so "
        "what the port serves (DNS, syslog, media) is lost, like a lost volume. With host "
        "networking the container binds the node's ports itself and nothing is reported.",
    ),
    Decision(
        "KI205",
        "info",
        "ClusterFirstWithHostNet without host networking is ClusterFirst in Kubernetes; writing "
        "ClusterFirst changes nothing.",
    ),
    Decision(
        "KI212",
        "warning",
        "dnsConfig (nameservers, searches, options) is lost: the pod resolves differently, and "
        "names only those servers know fail. ClusterFirst itself is written out, so it is not "
        "lost too (IEF's default would be Default, the node's resolver).",
    ),
    Decision(
        "KI707",
        "warning",
        "nodeSelector on professional with --node-id: the user chose the node, the selector "
        "only limited which nodes may run the pods. The same placement holds when that node "
        "has the labels, which the user can check. As an error (KI701, which stays one for "
        "node groups and for affinity) it blocked 39 corpus Deployments (19 files) alone "
        "(professional, --node-id).",
    ),
    Decision(
        "KI014",
        "info",
        "automountServiceAccountToken: false and enableServiceLinks: false ask for what IEF "
        "does anyway (no token, no service-link variables); they change nothing.",
    ),
    Decision(
        "KI104",
        "info",
        "A label that cannot be a tag only loses a description of the IEF deployment: nothing "
        "on IEF selects by tags at run time.",
    ),
    Decision(
        "KI313",
        "warning",
        "An optional key reference becomes required on IEF. When the ConfigMap or Secret is in "
        "the input and lacks the key, the variable is left out, as the kubelet leaves it out, "
        "so the container starts as in Kubernetes.",
    ),
    Decision(
        "KI506",
        "warning",
        "The startupProbe's budget (initialDelaySeconds + periodSeconds x failureThreshold) is "
        "added to the liveness delay, so a slow starter is not killed; a hung start is only "
        f"noticed later. A budget beyond IEF's {contract.PROBE_SECONDS_MAX} s is a KI508 error.",
    ),
]

# The English edition (2023-11) describes affinity twice: its request table points
# ``affinity`` at a table of error codes, and its only definition (Table 33 PodAffinity) is two
# flat lists of {key, operator, values}. The Chinese edition (2024-04) defines Kubernetes'
# nested shape (nodeAffinity / podAffinity / podAntiAffinity with camelCase keys), which the
# service accepts today. The body sends that nested shape: it is the only one defined in full,
# it keeps preferred terms, weights and topology keys the flat lists cannot express, and the
# seeds' README says a body valid under the newer reference is accepted by every edition in
# service. Affinity exists only on platinum under both editions (KI701).
AFFINITY_SHAPE = (
    "Kubernetes' nested shape with camelCase keys (the Chinese 2024-04 edition's definition), "
    "not the English 2023-11 edition's flat {key, operator, values} lists: the English request "
    "table points `affinity` at an error-code table and its flat lists cannot hold preferred "
    "terms, weights or topology keys; the newer reference is the one every edition in service "
    "accepts (seeds README)."
)
