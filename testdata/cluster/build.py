"""Build server/*.json: plain/*.yaml as the API server returns them (every default filled in).

Run ``python testdata/cluster/build.py`` after editing plain/*.yaml. The result mimics what
``GET /apis/apps/v1/namespaces/{ns}/deployments`` serves: managedFields, status, uid,
resourceVersion, last-applied-configuration, and the defaults of the Deployment, pod and
container types (see k8s.io/kubernetes/pkg/apis/*/v1/defaults.go).
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
STAMP = "2024-05-01T10:00:00Z"
PROBE_DEFAULTS = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                  "failureThreshold": 3}


def server_object(plain: dict[str, Any], version: int) -> dict[str, Any]:
    obj = copy.deepcopy(plain)
    meta = obj.setdefault("metadata", {})
    applied = json.dumps(plain, separators=(",", ":"), sort_keys=True) + "\n"
    meta.setdefault("namespace", "default")
    annotations = meta.setdefault("annotations", {})
    annotations["kubectl.kubernetes.io/last-applied-configuration"] = applied
    meta["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{meta['namespace']}/{meta['name']}"))
    meta["resourceVersion"] = str(1000 + version)
    meta["creationTimestamp"] = STAMP
    meta["managedFields"] = [{
        "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
        "time": STAMP, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:annotations": {".": {}}}, "f:data": {}},
    }]
    if obj["kind"] == "Deployment":
        meta["generation"] = 1
        annotations["deployment.kubernetes.io/revision"] = "1"
        _deployment(obj)
        obj["status"] = {
            "observedGeneration": 1, "replicas": obj["spec"]["replicas"],
            "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
            "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": STAMP,
                            "lastTransitionTime": STAMP, "reason": "MinimumReplicasAvailable",
                            "message": "Deployment has minimum availability."}],
        }
    return obj


def _deployment(obj: dict[str, Any]) -> None:
    spec = obj["spec"]
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec.setdefault("strategy", {"type": "RollingUpdate",
                                 "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
    template = spec["template"]
    template.setdefault("metadata", {})["creationTimestamp"] = None
    pod = template["spec"]
    pod.setdefault("restartPolicy", "Always")
    pod.setdefault("terminationGracePeriodSeconds", 30)
    pod.setdefault("dnsPolicy", "ClusterFirst")
    pod.setdefault("securityContext", {})
    pod.setdefault("schedulerName", "default-scheduler")
    for volume in pod.get("volumes", []):
        for kind in ("configMap", "secret"):
            if kind in volume:
                volume[kind].setdefault("defaultMode", 420)
    for container in pod.get("initContainers", []) + pod["containers"]:
        _container(container)


def _container(container: dict[str, Any]) -> None:
    image = container["image"]
    latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
    container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports", []):
        port.setdefault("protocol", "TCP")
    for env in container.get("env", []):
        field = env.get("valueFrom", {}).get("fieldRef")
        if field is not None:
            field.setdefault("apiVersion", "v1")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(key)
        if probe is None:
            continue
        for name, value in PROBE_DEFAULTS.items():
            probe.setdefault(name, value)
        if "httpGet" in probe:
            probe["httpGet"].setdefault("scheme", "HTTP")


def main() -> None:
    out = HERE / "server"
    out.mkdir(exist_ok=True)
    version = 0
    for path in sorted((HERE / "plain").glob("*.yaml")):
        for plain in yaml.safe_load_all(path.read_text()):
            version += 1
            obj = server_object(plain, version)
            meta = obj["metadata"]
            name = f"{obj['kind']}-{meta['namespace']}-{meta['name']}.json".lower()
            (out / name).write_text(json.dumps(obj, indent=1) + "\n")


if __name__ == "__main__":
    main()
