"""The conversion matrix: what becomes of each Kubernetes field (docs/mapping.md is generated
from this table, the accounting tables and the code registry: scripts/gen_mapping.py).

The rows for carried fields are kept next to the rules they describe, and
tests/test_mapping.py checks them against what the rules actually consume on the corpus and
the golden cases, so the matrix cannot silently fall behind the code.
"""

from __future__ import annotations

from typing import NamedTuple

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
        "copied; must be IEF-valid (<= 32, [a-z0-9-]); --name overrides",
        "KI101 KI102 KI109",
    ),
    Row(
        "metadata.labels",
        "tags",
        "pairs valid under both editions (key <= 36, value <= 43 of [A-Za-z0-9_-]), at most 10",
        "KI104",
        subtree=True,
    ),
    Row(
        'metadata.annotations["k8s2ief.io/description"]',
        "description",
        "copied when <= 255 characters without ^~#$%&*<>()[]{}'\"\\",
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
        "true|false; default true with a group target",
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
        "absent means 1; professional: 1, platinum: < 100",
        "KI201",
    ),
    Row(f"{POD}.hostNetwork", "configs.host_network", "always emitted (default false)"),
    Row(f"{POD}.hostPID", "configs.host_pid", "when set"),
    Row(f"{POD}.restartPolicy", "configs.restart_policy", "default Always", "KI208"),
    Row(
        f"{POD}.dnsPolicy",
        "configs.dns_policy",
        "when set and not Kubernetes' default ClusterFirst; None -> Default",
        "KI205 KI206",
    ),
    Row(
        f"{POD}.tolerations",
        "configs.toleration_seconds",
        "smallest tolerationSeconds of node.kubernetes.io/unreachable|not-ready (NoExecute); "
        "with a group target default 300",
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
        "In expressions folded into every required node selector term (platinum)",
        "KI701 KI704",
        subtree=True,
    ),
    Row(f"{POD}.initContainers", "template.init_containers", "each as a container", "KI314"),
    Row(f"{POD}.containers", "template.containers", "each as below", "KI317 KI318"),
    Row(
        f"{POD}.volumes",
        "containers[*].volumes",
        "joined with each container's volumeMounts",
        "KI602 KI608",
    ),
    Row(
        f"{POD}.volumes[*].name",
        "containers[*].volumes[*].name",
        "joins the volume with its mounts; renamed to IEF's rule",
        "KI601",
    ),
    Row(f"{C}.name", "name", "must be IEF-valid (<= 32, [a-z0-9-])", "KI308"),
    Row(f"{C}.image", "image_url", "copied unchanged (version left empty)", "KI309"),
    Row(f"{C}.command", "command", "copied; with args <= 65,536 characters", "KI305"),
    Row(f"{C}.args", "args", "copied; with command <= 65,536 characters", "KI305"),
    Row(
        f"{C}.env[*].name",
        "envs[*].name",
        "[A-Za-z_][A-Za-z0-9_]*; the last duplicate wins",
        "KI302 KI303",
    ),
    Row(f"{C}.env[*].value", "envs[*].value", "must be a string", "KI301"),
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
        "expanded per key when the ConfigMap or Secret is in the input",
        "KI310 KI311",
        subtree=True,
    ),
    Row(
        f"{C}.ports[*].containerPort",
        "ports[*].container_port",
        "copied; without hostPort and host network, also the host port",
        "KI319",
    ),
    Row(f"{C}.ports[*].hostPort", "ports[*].host_port", "copied"),
    Row(f"{C}.ports[*].hostIP", "ports[*].host_ip", "copied"),
    Row(f"{C}.ports[*].protocol", "-", "TCP only", "KI304"),
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
        "path, port (names resolved), host, scheme",
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
        "0 or absent -> 1; 1..3600",
        "KI501 KI508",
    ),
    Row(f"{C}.livenessProbe.timeoutSeconds", "liveness_probe.timeout_seconds", "1..3600", "KI508"),
    Row(
        f"{C}.volumeMounts[*].name",
        "volumes[*].name",
        "lowercase letters and digits, <= 63, unique",
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
    Row(f"{C}.securityContext.runAsUser", "run_as_user", "0..65534", "KI803"),
]
