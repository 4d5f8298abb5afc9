"""The body's top level: name, description, source, target, tags, and the IEF annotations."""

from __future__ import annotations

import re

from k8s2ief.ief import contract
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View, describe, shorten
from k8s2ief.settings import Settings

NAME_RULE = contract.compiled(contract.NAME)
NAME_MAX = contract.NAME_MAX
DESCRIPTION_MAX = contract.DESCRIPTION_MAX
DESCRIPTION_FORBIDDEN = set(contract.DESCRIPTION_FORBIDDEN)
# Tags must satisfy both editions (the contract keeps the stricter lengths).
TAG_KEY = contract.compiled(contract.TAG_KEY)
TAG_VALUE = contract.compiled(contract.TAG_VALUE)
TAGS_MAX = contract.TAGS_MAX

PREFIX = "k8s2ief.io/"
ANNOTATION_NODE = PREFIX + "node-id"
ANNOTATION_GROUP = PREFIX + "group-id"
ANNOTATION_MIGRATION = PREFIX + "migration"
ANNOTATION_SOURCE = PREFIX + "source"
ANNOTATION_DESCRIPTION = PREFIX + "description"
ANNOTATION_RING = PREFIX + "ring-controller"
ANNOTATION_AUTONOMY = PREFIX + "autonomy-edge-selector"
ANNOTATION_IGNORE = PREFIX + "ignore"
OUR_ANNOTATIONS = (
    ANNOTATION_NODE,
    ANNOTATION_GROUP,
    ANNOTATION_MIGRATION,
    ANNOTATION_SOURCE,
    ANNOTATION_DESCRIPTION,
    ANNOTATION_RING,
    ANNOTATION_AUTONOMY,
    ANNOTATION_IGNORE,
)
RING_CONTROLLERS = ("ascend-1980",)


def suggest_name(name: str) -> str:
    """A valid IEF name close to ``name``: lowercase, '-' for anything else, at most 32."""
    text = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    text = re.sub(r"-{2,}", "-", text)[:NAME_MAX].strip("-")
    return text or "app"


@handles("metadata.name")
def deployment_name(meta: View | None, settings: Settings) -> str | None:
    """``--name`` wins; otherwise metadata.name, which must satisfy IEF's naming rule."""
    name = meta.text("name") if meta else None
    if settings.name:
        return settings.name
    if name is None or meta is None:
        return None
    if not NAME_RULE.fullmatch(name):
        meta.note(
            "name",
            "KI101",
            f"name {shorten(name)!r} is not a valid IEF name (lowercase letters, digits and '-', "
            f"at most {NAME_MAX}, alphanumeric at both ends); "
            f"use --name {suggest_name(name)} or rename it",
        )
    return name


def annotations(meta: View | None) -> dict[str, str]:
    """Our own ``k8s2ief.io/*`` annotations, consumed; other annotations are left to accounting."""
    found: dict[str, str] = {}
    if meta is None:
        return found
    for key, value, path in meta.items("annotations"):
        if not key.startswith(PREFIX):
            continue
        meta.ledger.consume(path)
        if key not in OUR_ANNOTATIONS:
            import difflib  # only for an unknown annotation's did-you-mean

            close = difflib.get_close_matches(key, OUR_ANNOTATIONS, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            meta.ledger.report("KI111", path, f"unknown annotation {key}{hint}")
        elif not isinstance(value, str):
            meta.ledger.report("KI009", path, f"expected a string, found {describe(value)}")
        else:
            found[key] = value
    return found


@handles('metadata.annotations["k8s2ief.io/description"]')
def description(meta: View | None, ours: dict[str, str]) -> str | None:
    text = ours.get(ANNOTATION_DESCRIPTION)
    if text is None or meta is None:
        return None
    bad = sorted(set(text) & DESCRIPTION_FORBIDDEN)
    if len(text) > DESCRIPTION_MAX or bad:
        problem = (
            f"has {len(text)} characters"
            if len(text) > DESCRIPTION_MAX
            else (f"contains {' '.join(bad)}")
        )
        meta.ledger.report(
            "KI106",
            (*meta.at("annotations"), ANNOTATION_DESCRIPTION),
            f"the description {problem}; IEF allows {DESCRIPTION_MAX} characters without "
            f"{contract.DESCRIPTION_FORBIDDEN}, so it was left out",
            consume=False,
        )
        return None
    return text


@handles("metadata.labels")
def tags(meta: View | None) -> list[dict[str, str]]:
    """Labels that are valid IEF tags under both editions; every other label is a warning."""
    result: list[dict[str, str]] = []
    if meta is None:
        return result
    for key, value, path in meta.items("labels"):
        meta.ledger.consume(path)
        text = value if isinstance(value, str) else None
        if text is None or not TAG_KEY.fullmatch(key) or not TAG_VALUE.fullmatch(text):
            meta.ledger.report(
                "KI104",
                path,
                f"label {shorten(key)}={shorten(str(value))} cannot be an IEF tag (key up to 36 "
                "and value up to 43 of A-Z a-z 0-9 _ -); it was not carried over",
            )
        elif len(result) >= TAGS_MAX:
            meta.ledger.report(
                "KI104",
                path,
                f"IEF takes at most {TAGS_MAX} tags; label {key} was not carried over",
            )
        else:
            result.append({"key": key, "value": text})
    return result


@handles(
    'metadata.annotations["k8s2ief.io/node-id"]', 'metadata.annotations["k8s2ief.io/group-id"]'
)
def target(
    meta: View | None, ours: dict[str, str], settings: Settings
) -> tuple[str | None, str | None]:
    """(node_id, group_id): a document's annotations override the command line."""
    node, group = ours.get(ANNOTATION_NODE), ours.get(ANNOTATION_GROUP)
    if node and group:
        if meta:
            meta.note(
                "annotations",
                "KI108",
                f"both {ANNOTATION_NODE} and {ANNOTATION_GROUP} are set; IEF takes one target, "
                "so the node was used",
            )
        return node, None
    if node or group:
        return node, group
    return settings.node_id, settings.group_id
