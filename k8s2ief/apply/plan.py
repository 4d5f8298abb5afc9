"""Turning converted bodies into targets: one per node, names unique, ownership recorded."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from k8s2ief.apply.model import KvItem, Target
from k8s2ief.references import get

MAX_NAME = 32  # IEF deployment names
# Ownership tag. Both editions' tag rules: key <= 36 and value <= 43 characters of
# [A-Za-z0-9_-] (the 2023 edition is the stricter), at most 10 tags per deployment.
APPLYSET_KEY = "k8s2ief-applyset"
APPLYSET_NAME = re.compile(r"[A-Za-z0-9_-]{1,43}")
MAX_TAGS = 10
# ConfigMaps and Secrets carry no tags on IEF: their description records the owner.
KV_OWNER_PREFIX = "k8s2ief-applyset="


def fanned_name(name: str, node_id: str) -> str:
    """``<name>-<8 hex>``, cut to 32 characters; the hash covers the name and the node, so two
    names cut to the same stem still differ."""
    digest = hashlib.sha256(f"{name}\0{node_id}".encode()).hexdigest()[:8]
    stem = name[: MAX_NAME - len(digest) - 1].rstrip("-")
    return f"{stem}-{digest}"


def fan_out(target: Target, node_ids: Sequence[str]) -> list[Target]:
    """One target per node (IEF takes one node per deployment); one node keeps the name."""
    if not node_ids:
        return [target]
    fanned: list[Target] = []
    for node_id in node_ids:
        name = target.name if len(node_ids) == 1 else fanned_name(target.name, node_id)
        body = None
        if target.body is not None:
            body = {**target.body, "name": name, "node_ids": [node_id]}
            body.pop("group_id", None)
        fanned.append(replace(target, name=name, node_id=node_id, body=body))
    return fanned


def name_collisions(targets: Iterable[Target]) -> list[str]:
    """One message per name that two targets of the run would share (they would overwrite each
    other on every run); empty when every name is unique."""
    sources: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        sources[target.name].append(target)
    problems = []
    for name, same in sources.items():
        if len(same) > 1:
            where = ", ".join(t.source or t.node_id or "?" for t in same[:3])
            problems.append(f"{len(same)} deployments would be named {name} ({where})")
    return problems


def kv_item(manifest: Mapping[str, Any]) -> KvItem | None:
    """The ConfigMap or Secret a manifest describes, in IEF's terms (Secret values base64)."""
    kind, name = manifest.get("kind"), get(manifest, "metadata", "name")
    if kind not in ("ConfigMap", "Secret") or not isinstance(name, str):
        return None
    data: dict[str, str] = {}
    for key, value in (get(manifest, "data") or {}).items():
        # Kubernetes already holds Secret data in base64, as IEF wants it.
        data[str(key)] = "" if value is None else str(value)
    for key, value in (get(manifest, "stringData") or {}).items():
        text = "" if value is None else str(value)
        data[str(key)] = base64.b64encode(text.encode()).decode() if kind == "Secret" else text
    return KvItem(kind, name, data)


def applyset_problem(name: str) -> str | None:
    if APPLYSET_NAME.fullmatch(name):
        return None
    return f"--applyset {name!r}: use 1 to 43 characters of A-Z, a-z, 0-9, _ and -"


def applyset_of(tags: object) -> str | None:
    """The set a deployment's tags say owns it, if any."""
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("key") == APPLYSET_KEY:
            return str(tag.get("value"))
    return None


def owned(target: Target, applyset: str) -> Target:
    """The target with the set's tag added to its body (blocked when that makes 11 tags)."""
    if target.body is None or target.blocked_code:
        return target
    tags = [t for t in target.body.get("tags") or [] if applyset_of([t]) is None]
    if len(tags) >= MAX_TAGS:
        return replace(
            target,
            blocked_code="APPLYSET_TAGS",
            blocked_msg=f"already {len(tags)} tags: no room for the {APPLYSET_KEY} tag",
        )
    body = {**target.body, "tags": [*tags, {"key": APPLYSET_KEY, "value": applyset}]}
    return replace(target, body=body)


def sdk_model(body: Mapping[str, object]) -> tuple[object | None, str | None]:
    """The SDK's model of the body, or why the SDK cannot send it (a field of the wrong type,
    such as ``replicas: 1.0``). Imports the SDK: call it on the submit path only."""
    from k8s2ief.ief.sdk_models import SdkModelError, to_sdk_model

    try:
        return to_sdk_model(dict(body)), None
    except SdkModelError as problem:
        return None, str(problem)
    except RecursionError:
        return None, "the body is nested too deeply"
    except (TypeError, ValueError, AttributeError) as problem:  # a value the models choke on
        return None, f"{type(problem).__name__}: {problem}"
