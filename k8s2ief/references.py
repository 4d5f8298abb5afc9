"""Which ConfigMaps and Secrets a Deployment needs: read by --from-cluster, submitted first by
apply, and the reason the envFrom pre-scan runs. Pure functions over plain manifest dicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def get(value: object, *keys: str) -> Any:
    """``value[k1][k2]...``, or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def dicts(value: object) -> list[dict[str, Any]]:
    """The mappings of a list (other members and non-lists give nothing)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def containers(manifest: object) -> list[dict[str, Any]]:
    """Init and app containers of a Deployment's pod template."""
    pod = get(manifest, "spec", "template", "spec")
    return [*dicts(get(pod, "initContainers")), *dicts(get(pod, "containers"))]


def uses_env_from(manifest: object) -> bool:
    """Whether some container takes its environment from a whole ConfigMap or Secret."""
    return any(container.get("envFrom") for container in containers(manifest))


def references(manifest: object) -> Iterator[tuple[str, str]]:
    """(kind, name) of every ConfigMap and Secret the Deployment names: env, envFrom, volumes."""
    for volume in dicts(get(manifest, "spec", "template", "spec", "volumes")):
        yield from _named("ConfigMap", get(volume, "configMap", "name"))
        yield from _named("Secret", get(volume, "secret", "secretName"))
        for source in dicts(get(volume, "projected", "sources")):
            yield from _named("ConfigMap", get(source, "configMap", "name"))
            yield from _named("Secret", get(source, "secret", "name"))
    for container in containers(manifest):
        for env in dicts(container.get("env")):
            yield from _named("ConfigMap", get(env, "valueFrom", "configMapKeyRef", "name"))
            yield from _named("Secret", get(env, "valueFrom", "secretKeyRef", "name"))
        for env_from in dicts(container.get("envFrom")):
            yield from _named("ConfigMap", get(env_from, "configMapRef", "name"))
            yield from _named("Secret", get(env_from, "secretRef", "name"))


def _named(kind: str, name: object) -> Iterator[tuple[str, str]]:
    if isinstance(name, str) and name:
        yield kind, name
