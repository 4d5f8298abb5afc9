"""The registry of finding codes: one row per code, with its default severity and documentation.

Codes are stable: a code is never reused for another meaning. The letter pair KI and the first
digit group them by the part of the manifest they concern (0 input, 1 metadata, 2 deployment and
pod, 3 containers, 4 resources, 5 probes, 6 volumes, 7 scheduling, 8 security, 9 output), which
says nothing about severity: users may change any code's severity (``--severity CODE=LEVEL``).
"""

from __future__ import annotations

from k8s2ief.records import FrozenRecord, set_field
from k8s2ief.severity import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


class CodeInfo(FrozenRecord):
    """One row of the registry: a code, its name, default severity and documentation."""

    __slots__ = ("code", "name", "severity", "summary", "doc")  # noqa: RUF023 (the order of __init__)
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str

    def __init__(self, code: str, name: str, severity: Severity, summary: str, doc: str) -> None:
        set_field(self, "code", code)
        set_field(self, "name", name)
        set_field(self, "severity", severity)
        set_field(self, "summary", summary)
        set_field(self, "doc", doc)


_TABLE: list[tuple[str, str, Severity, str, str]] = [
    # --- 0: input ------------------------------------------------------------------------------
    ("KI001", "invalid-yaml", E, "The document is not valid YAML or not readable text.",
     "The document could not be parsed: a syntax error, a tab used for indentation, bytes that "
     "are not UTF-8, or a file that cannot be read. Nothing of it was converted; the other "
     "documents of the stream were. Fix the YAML at the line given."),
    ("KI002", "server-fields", I, "Fields the API server fills in were ignored.",
     "status, metadata.uid, resourceVersion, generation, creationTimestamp, managedFields, "
     "selfLink and the last-applied-configuration annotation describe a live object, not the "
     "desired state. They are ignored, with one finding per document listing them."),
    ("KI003", "kind-skipped", I, "The document is not a Deployment and was skipped.",
     "Only Deployments become IEF deployments. ConfigMaps and Secrets of the same input are "
     "read for envFrom expansion (and submitted by `apply`); every other kind is skipped."),
    ("KI004", "api-version-unsupported", E,
     "A Deployment of an API version this tool does not know.",
     "Deployments of apps/v1, apps/v1beta1, apps/v1beta2 and extensions/v1beta1 are accepted. "
     "Another apiVersion may have another schema, so the document is not converted."),
    ("KI005", "duplicate-key", E, "A mapping key appears twice.",
     "Kubernetes rejects objects with duplicate fields (strict decoding), and YAML forbids "
     "them. The finding names both lines; the conversion kept the last value, as kubectl's "
     "lenient decoder does. Remove one of them."),
    ("KI006", "yaml-tag-ignored", W, "A YAML tag was ignored.",
     "Tags such as !!python/object or custom !tags are never acted on: the value is read as "
     "if untagged, as Kubernetes reads it. A tag in a manifest is usually a mistake or hostile."),
    ("KI007", "unknown-field", E, "A key that is not a Kubernetes field: probably a typo.",
     "The key is not a field of the Kubernetes object at this place (the names come from the "
     "Kubernetes client's models). Kubernetes rejects it under strict validation or silently "
     "ignores it, so what the author meant is lost. The message suggests the closest field."),
    ("KI008", "unsupported-field", W, "A Kubernetes field IEF cannot express.",
     "The field is valid Kubernetes but IEF's deployment API has no counterpart, so it was "
     "not carried over. The workload runs, but without what the field asked for."),
    ("KI009", "wrong-type", E, "A value of the wrong type.",
     "A field holds a value of a type Kubernetes does not accept there (a mapping where a "
     "list belongs, a string where a number belongs, null in a list). The field was ignored."),
    ("KI010", "defaults-dropped", I, "Fields holding Kubernetes' defaults were not needed.",
     "Exported manifests (kubectl get -o yaml, the API) spell out every default: "
     "terminationMessagePath, imagePullPolicy IfNotPresent, schedulerName, revisionHistoryLimit "
     "10, and so on. Values equal to the default change nothing; they are summed up in one "
     "finding per document."),
    ("KI011", "input-limit", E, "The document exceeds a safety limit.",
     "Alias expansion (--max-nodes), nesting depth (--max-depth) or document size "
     "(--max-document-bytes) went past its limit, so the document was not read. The limits "
     "stop hostile input (alias bombs, deep nesting) from exhausting memory or time."),
    ("KI012", "runtime-detail-dropped", I, "A container detail with no effect on IEF was dropped.",
     "terminationMessagePath and terminationMessagePolicy (where Kubernetes keeps a last "
     "message), stdin, stdinOnce and tty (an interactive terminal) change nothing for an app "
     "that runs unattended on an edge node."),
    ("KI014", "same-as-ief", I, "Fields that ask for what IEF does anyway.",
     "automountServiceAccountToken: false and enableServiceLinks: false turn off a service "
     "account token and service-link variables that IEF never gives edge instances, so they "
     "change nothing; they are summed up in one finding per document."),
    ("KI013", "not-an-object", E, "The document is not a Kubernetes object.",
     "A document must be a mapping with apiVersion and kind. A list or a scalar at the top "
     "level is not an object, and neither is a mapping without kind."),
    # --- 1: metadata ---------------------------------------------------------------------------
    ("KI101", "invalid-name", E, "The name is not a valid IEF deployment name.",
     "IEF names have at most 32 lowercase letters, digits and '-', alphanumeric at both ends. "
     "The message suggests a valid name; pass it with --name or rename the Deployment."),
    ("KI102", "missing-name", E, "The Deployment has no usable name.",
     "metadata.name is missing (generateName cannot be used: IEF needs a fixed name). Give a "
     "name or pass --name."),
    ("KI103", "namespace-dropped", I, "The namespace is not carried over.",
     "IEF has no namespaces: a deployment belongs to the project. Deployments of the same name "
     "in different namespaces collide (see KI109)."),
    ("KI104", "label-not-tag", I, "A label could not become an IEF tag.",
     "Labels become tags when they are valid under both API editions: key up to 36 and value up "
     "to 43 characters of A-Z a-z 0-9 _ -, at most 10 tags. Prefixed keys such as "
     "app.kubernetes.io/name contain '.' and '/', so they cannot be tags. Tags only describe "
     "the IEF deployment: nothing selects by them at run time, hence info."),
    ("KI105", "annotation-dropped", I, "An annotation is not carried over.",
     "IEF deployments have no free-form annotations. Annotations usually drive other tools "
     "(sidecar injection, monitoring): check nothing on the edge relies on them."),
    ("KI106", "invalid-description", E, "The k8s2ief.io/description annotation is not valid.",
     "IEF descriptions have at most 255 characters and none of ^~#$%&*<>()[]{}'\"\\. The "
     "description was left out of the body."),
    ("KI107", "no-target", E, "The deployment has no target node or node group.",
     "IEF deploys to one node (node_ids) or one node group (group_id). Pass --node-id or "
     "--group-id, or annotate the Deployment with k8s2ief.io/node-id or k8s2ief.io/group-id. "
     "The body is printed anyway, without a target."),
    ("KI108", "conflicting-targets", E, "Both a node and a node group were given.",
     "IEF takes exactly one of node_ids and group_id. The node was used."),
    ("KI109", "duplicate-name", E, "Two deployments of the input get the same IEF name.",
     "IEF names are unique within a project. Deployments of the same name from different "
     "namespaces (or --name on several) would overwrite each other; rename one."),
    ("KI110", "pod-metadata-dropped", I, "Pod template labels and annotations are not carried.",
     "IEF labels its instances itself. Selectors of other workloads that match these labels "
     "(pod affinity, Services) do not find IEF instances by them."),
    ("KI111", "invalid-annotation", E, "A k8s2ief.io/ annotation is unknown or has a bad value.",
     "The annotations this tool reads are k8s2ief.io/node-id, group-id, migration (true|false), "
     "source, description, ring-controller (ascend-1980), autonomy-edge-selector and ignore."),
    # --- 2: deployment and pod -----------------------------------------------------------------
    ("KI201", "replicas-edition", E, "The replica count breaks the IEF edition's limit.",
     "The professional edition runs exactly 1 replica; the platinum edition fewer than 100. "
     "Choose the edition with --edition, or change spec.replicas."),
    ("KI202", "selector-implied", I, "spec.selector is not carried.",
     "IEF manages its deployment's instances itself; a label selector has no meaning there."),
    ("KI203", "update-strategy", W, "Rollout settings are not carried.",
     "strategy, minReadySeconds, progressDeadlineSeconds, paused and the pod's "
     "terminationGracePeriodSeconds have no IEF counterpart: IEF updates instances its own way."),
    ("KI204", "revision-history", I, "revisionHistoryLimit is not carried.",
     "IEF keeps no rollout history; the setting has no effect at run time."),
    ("KI205", "dns-policy-rewritten", I, "dnsPolicy was rewritten to its IEF equivalent.",
     "Without hostNetwork, ClusterFirstWithHostNet behaves as ClusterFirst in Kubernetes, and "
     "IEF only accepts Default or ClusterFirst there, so ClusterFirst is emitted: nothing "
     "changes. (ClusterFirst, Kubernetes' default, is written out without hostNetwork, since "
     "IEF's own default is Default; with hostNetwork it resolves like Default and is not "
     "emitted.) A lost dnsConfig is KI212."),
    ("KI206", "dns-policy-unsupported", E,
     "dnsPolicy None (or an invalid one) has no IEF equivalent.",
     "dnsPolicy None takes all DNS settings from dnsConfig, which IEF lacks; Default was used, "
     "so name resolution differs."),
    ("KI207", "toleration-dropped", W, "A toleration is not carried.",
     "IEF only expresses how long a failed node's instances wait before migrating "
     "(tolerations of node.kubernetes.io/unreachable and not-ready; without tolerationSeconds "
     "they stay for ever, which a node group expresses as migration false). Other tolerations "
     "have no IEF counterpart, and two different times for the two taints become the smaller."),
    ("KI208", "restart-policy", W, "restartPolicy is unusual for a Deployment.",
     "Kubernetes Deployments only accept Always. Another value is carried to IEF as written, or "
     "replaced by Always when it is not a restart policy at all."),
    ("KI209", "service-account", W, "The service account is not carried.",
     "Edge instances get no Kubernetes service account and no API token. An app that talks to "
     "the Kubernetes API will not be able to."),
    ("KI210", "image-pull-secrets", W, "imagePullSecrets are not carried.",
     "IEF pulls images with the credentials of its image registry (SWR). Private images from "
     "other registries need those credentials configured on IEF."),
    ("KI211", "priority", W, "Pod priority is not carried.",
     "IEF has no priority classes or preemption."),
    ("KI212", "dns-config-lost", W, "dnsConfig is not carried.",
     "IEF takes a DNS policy only. Extra nameservers, search domains and resolver options are "
     "lost, so names only they resolve fail on IEF: the pod resolves differently."),
    # --- 3: containers -------------------------------------------------------------------------
    ("KI301", "env-value-not-string", E, "An env value is not a string.",
     "Kubernetes demands strings for env values, so `value: 80` or `value: yes` is rejected by "
     "the API server. Quote the value. The body carries its string form."),
    ("KI302", "env-name-invalid", E, "An env name is not valid on IEF.",
     "IEF env names are letters, digits and '_', not starting with a digit. The variable was "
     "left out, so the app will not see it."),
    ("KI303", "env-duplicate", W, "An env variable is set twice.",
     "Kubernetes keeps the last definition; so does the conversion."),
    ("KI304", "port-protocol", E, "A port protocol other than TCP.",
     "IEF port mappings carry no protocol: they are TCP. Without host networking a UDP or SCTP "
     "port therefore receives no traffic on IEF (a DNS or syslog server would not serve), so "
     "this is an error. A UDP and a TCP port of one number become one mapping."),
    ("KI305", "command-too-long", E, "command and args are longer than IEF allows.",
     "Both editions allow 65,536 characters for command and, separately, for args (the "
     "validator checks the same limit)."),
    ("KI306", "image-pull-policy", W, "imagePullPolicy is not carried.",
     "IEF applies its own pull policy; an image tag that moves (latest) may not be re-pulled."),
    ("KI307", "port-names", I, "Port names are not carried.",
     "IEF ports are numbers. Probes that referred to ports by name were given the numbers."),
    ("KI308", "container-name-invalid", E, "A container name is missing or not valid on IEF.",
     "IEF container names have at most 32 lowercase letters, digits and '-', alphanumeric at "
     "both ends (Kubernetes allows 63)."),
    ("KI309", "missing-image", E, "A container has no image.",
     "Without an image the container cannot run."),
    ("KI310", "env-from-unresolved", E, "envFrom refers to a ConfigMap or Secret not in the input.",
     "IEF has no envFrom. It can be expanded into one reference per key when the ConfigMap or "
     "Secret is a document of the same input; otherwise those variables are lost."),
    ("KI311", "env-from-expanded", I, "envFrom was expanded into one reference per key.",
     "The ConfigMap or Secret is in the input, so each of its keys became an env entry with "
     "value_from (a reference: Secret values are never copied)."),
    ("KI312", "env-source-unsupported", E, "An env source has no IEF equivalent.",
     "IEF env values come from a literal, a ConfigMap or Secret key, or status.hostIP. Other "
     "fieldRef paths and resourceFieldRef are lost, so the app will not see the variable."),
    ("KI313", "env-optional", W, "An optional env reference becomes required.",
     "IEF has no optional references: the ConfigMap or Secret key must exist. When the "
     "ConfigMap or Secret is in the input and lacks the key, Kubernetes sets nothing, so the "
     "variable is left out of the body as well."),
    ("KI314", "native-sidecar", E, "An init container is a native sidecar.",
     "An init container with restartPolicy Always keeps running beside the app in Kubernetes. "
     "IEF runs init containers to completion first, so the app would never start. Make it an "
     "app container."),
    ("KI315", "working-dir", E, "workingDir is not carried.",
     "IEF has no working directory setting: the image's own applies, so relative paths in "
     "command and args may point elsewhere. Use absolute paths or set WORKDIR in the image."),
    ("KI316", "lifecycle-hooks", W, "Lifecycle hooks are not carried.",
     "IEF runs no postStart or preStop hooks."),
    ("KI317", "no-containers", E, "The pod template has no containers.",
     "A deployment needs at least one app container."),
    ("KI318", "duplicate-container-name", E, "Two containers share a name.",
     "IEF needs container names unique across init and app containers."),
    ("KI319", "host-port-assumed", W, "A container port was given the same host port.",
     "Without host networking IEF reaches containers only through ports mapped on the edge "
     "node, while Kubernetes pods are reached on their own IP. The container port was mapped "
     "to the same port on the node, which also makes it reachable at the node's address. On "
     "the platinum edition --host-port-range lets IEF pick free host ports instead."),
    ("KI320", "host-port-conflict", E, "A node port would be bound twice.",
     "A port bound on the node (a hostPort, the host port assumed for a containerPort, or a "
     "port of a host-network pod) can be bound once per node. Several replicas on one node, "
     "two mappings of one body (two containers on one port) and two deployments of one run "
     "aimed at the same node cannot all bind it: all but one instance fail to start. Use "
     "--host-port-range (platinum), a node group, one replica or another port."),
    ("KI321", "env-reference-lost", E, "An env value refers to a variable that is not carried.",
     "Kubernetes expands $(VAR) in an env value with the variables defined before it. When VAR "
     "was left out (see its finding), IEF passes the text $(VAR) as it is, so the value "
     "differs; carry VAR or write the value out."),
    # --- 4: resources --------------------------------------------------------------------------
    ("KI401", "quantity-rounded", I, "A resource amount was rounded up to two decimals.",
     "IEF takes cpu in cores and memory in MB (MiB) with two decimals; 1G (10^9 bytes) is "
     "953.67 MiB, emitted as 953.68."),
    ("KI402", "request-above-limit", E, "A resource request is above its limit.",
     "Kubernetes rejects it, and so does IEF."),
    ("KI403", "memory-limit-too-small", E, "The memory limit is below 4 MB.",
     "IEF's minimum memory limit is 4 MB."),
    ("KI404", "gpu-needs-memory", E, "nvidia.com/gpu counts devices; IEF's gpu is memory.",
     "IEF's gpu resource is GPU memory in MB. Pass --gpu-memory-mb N (the memory of one device) "
     "and a count c becomes c*N."),
    ("KI405", "resource-unsupported", W, "A resource kind IEF does not offer.",
     "IEF resources are cpu, memory, gpu and npu. Others (ephemeral-storage, hugepages, "
     "extended resources) are not carried."),
    ("KI406", "npu-unsupported", E, "An Ascend NPU kind IEF does not offer.",
     "IEF offers huawei.com/Ascend310 (D310) and Ascend310B (D310B), one type per container."),
    ("KI407", "invalid-quantity", E, "A resource amount is not a Kubernetes quantity.",
     "Quantities are numbers with an optional suffix (250m, 1.5, 512Mi, 1G)."),
    ("KI408", "resource-out-of-range", E, "A resource amount is outside IEF's range.",
     "IEF takes cpu 0.01..1000 cores, memory and gpu 0.01..1,024,000 MB, npu 1..1000."),
    # --- 5: probes -----------------------------------------------------------------------------
    ("KI501", "probe-initial-delay", I, "A probe's initial delay became 1 second.",
     "Kubernetes starts probing at once (0 s) by default; IEF accepts 1..3600 and waits 10 s when "
     "unset, so 0 or no value is emitted as 1."),
    ("KI502", "probe-timing", W, "A probe timing setting is not carried.",
     "IEF probes have only initial_delay_seconds and timeout_seconds. periodSeconds, "
     "successThreshold, failureThreshold and terminationGracePeriodSeconds take IEF's defaults."),
    ("KI503", "probe-http-headers", W, "Probe HTTP headers are not carried.",
     "IEF's http_get has no headers; an endpoint that needs them will fail the probe."),
    ("KI504", "probe-tcp", W, "A tcpSocket probe has no IEF equivalent.",
     "IEF probes are http_get or exec. The probe was left out; an exec probe that opens the port "
     "(for example with nc) can replace it."),
    ("KI505", "probe-grpc", W, "A gRPC probe has no IEF equivalent.",
     "IEF probes are http_get or exec. The probe was left out; grpc_health_probe in an exec "
     "probe can replace it."),
    ("KI506", "startup-probe", W, "startupProbe is not carried.",
     "IEF has no startup probe. Kubernetes starts the liveness probe only after the startup "
     "probe succeeded, so its budget (initialDelaySeconds + periodSeconds x failureThreshold) "
     "is added to the liveness probe's initial delay: a slow starter is not killed on IEF. A "
     "budget beyond 3600 s is KI508."),
    ("KI507", "probe-port-unknown", E, "A probe names a port the container does not declare.",
     "Named probe ports are resolved through the container's ports; this name matches none."),
    ("KI508", "probe-seconds-out-of-range", E, "A probe's seconds are outside 1..3600.",
     "IEF takes 1..3600 for initial_delay_seconds and timeout_seconds; the value was clamped."),
    # --- 6: volumes ----------------------------------------------------------------------------
    ("KI601", "volume-renamed", I, "A volume was renamed to IEF's naming rule.",
     "IEF volume names are lowercase letters and digits, at most 63. Each pod volume gets one "
     "name, unique in the pod, used by every mount of it (so a directory shared by two "
     "containers, or mounted twice, stays one volume)."),
    ("KI602", "volume-unsupported", E, "A volume cannot be mounted on IEF.",
     "IEF mounts configMap, secret, emptyDir and hostPath volumes. persistentVolumeClaim, "
     "projected, downwardAPI, nfs, csi and the rest are lost, so the app misses that data."),
    ("KI603", "sub-path", E, "A subPath mount is not carried.",
     "IEF mounts whole volumes; mounting the volume where one file was meant would hide the "
     "image's folder, so the mount was left out."),
    ("KI604", "volume-items", E, "ConfigMap or Secret items are not carried.",
     "items select and rename keys; IEF mounts every key under its own name, so files the app "
     "expects under other names are missing."),
    ("KI605", "mount-propagation", W, "Mount propagation is not carried.",
     "IEF mounts volumes without propagation."),
    ("KI606", "empty-dir-size", W, "emptyDir sizeLimit is not carried.",
     "IEF does not cap emptyDir volumes."),
    ("KI607", "host-path-type", W, "hostPath type is not carried.",
     "IEF does not check or create the host path's kind."),
    ("KI608", "volume-unused", I, "A volume is declared but never mounted.",
     "IEF volumes belong to containers; a volume no container mounts has nothing to carry."),
    ("KI609", "mount-without-volume", E, "A volumeMount names no volume of the pod.",
     "Kubernetes rejects such a pod; the mount was left out."),
    ("KI610", "host-path-mounted", W, "A hostPath volume exposes the node's file system.",
     "The container reads (and unless read-only, writes) the edge node's files. Security audits "
     "look for these."),
    ("KI611", "volume-optional", W, "An optional ConfigMap or Secret volume becomes required.",
     "IEF has no optional volumes: the ConfigMap or Secret must exist."),
    ("KI612", "mount-invalid", E, "A mount path or host path IEF cannot take.",
     "Mount paths must be absolute, and hostPath sources absolute paths of letters, digits and "
     "- _ . / only. The mount was left out, so the app misses that data."),
    ("KI613", "volume-two-sources", E, "A volume names more than one source.",
     "A volume has exactly one source (emptyDir, hostPath, configMap, ...): Kubernetes "
     "rejects a volume naming two. Every source is reported and the volume is not mounted; "
     "keep the one that was meant."),
    # --- 7: scheduling -------------------------------------------------------------------------
    ("KI701", "affinity-needs-platinum", E, "Affinity and nodeSelector need the platinum edition.",
     "IEF's affinity rules exist only in the platinum edition (--edition platinum). On the "
     "professional edition they were left out, so instances may land where they should not."),
    ("KI702", "affinity-field-unsupported", W, "A part of an affinity rule is not carried.",
     "matchFields, namespaceSelector, matchLabelKeys and mismatchLabelKeys have no place in "
     "IEF's affinity."),
    ("KI703", "affinity-expression-invalid", E, "An affinity expression is not valid.",
     "In and NotIn need values, Exists and DoesNotExist none, Gt and Lt exactly one integer. "
     "The expression was dropped."),
    ("KI706", "affinity-term-invalid", E, "An affinity term lacks what both APIs require.",
     "A pod affinity term needs a topologyKey, and a preferred term a weight of 1..100 (and a "
     "podAffinityTerm). Kubernetes rejects such terms too; the term was dropped."),
    ("KI704", "node-selector-folded", I, "nodeSelector became node affinity.",
     "IEF has no nodeSelector; each label became an In expression in every required node "
     "selector term, which selects the same nodes."),
    ("KI705", "scheduling-unsupported", W, "A scheduling setting is not carried.",
     "topologySpreadConstraints, nodeName and schedulerName have no IEF counterpart: IEF places "
     "instances on the target node or group."),
    ("KI707", "node-selector-pinned", W, "nodeSelector is not carried; the node is pinned.",
     "Without the platinum edition IEF has no node selection, but with --node-id the user "
     "already chose the node: the selector only said which nodes may run the pods. It runs "
     "the same when that node carries the selector's labels; check them."),
    # --- 8: security ---------------------------------------------------------------------------
    ("KI801", "privileged", W, "A privileged container.",
     "Carried as privileged: true. The container has full access to the edge node's devices "
     "and kernel. Security audits look for these."),
    ("KI802", "security-context-field", W, "A security setting is not carried.",
     "IEF carries privileged and runAsUser only. capabilities, readOnlyRootFilesystem, "
     "runAsNonRoot, runAsGroup, fsGroup, seccompProfile, allowPrivilegeEscalation and the rest "
     "are lost, so the container runs with the runtime's defaults."),
    ("KI803", "run-as-user-range", E, "runAsUser is outside 0..65534.",
     "IEF accepts user ids from 0 to 65534."),
    # --- 9: output -----------------------------------------------------------------------------
    ("KI901", "invalid-body", E, "The emitted body breaks a rule of the IEF API.",
     "The body was checked against the API's documented rules (k8s2ief validate) and one "
     "failed; IEF would reject it. The message names the rule."),
]

REGISTRY: dict[str, CodeInfo] = {row[0]: CodeInfo(*row) for row in _TABLE}
BY_NAME: dict[str, str] = {info.name: code for code, info in REGISTRY.items()}


def resolve_code(text: str) -> str:
    """A code given by number or name -> its number; ValueError for unknown ones."""
    key = text.strip()
    if key.upper() in REGISTRY:
        return key.upper()
    if key in BY_NAME:
        return BY_NAME[key]
    raise ValueError(f"unknown finding code {text!r} (see `k8s2ief explain --list`)")


def severity_of(code: str) -> Severity:
    return REGISTRY[code].severity
