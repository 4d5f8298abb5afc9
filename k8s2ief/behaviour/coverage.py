"""Which findings cover which behavioural difference, and at what severity at least.

A difference is covered when the document has a finding of one of the aspect's codes, at the
listed severity or above, about the same container (or the pod, for what the pod declares).
Anything else is uncovered: a converter bug.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from k8s2ief.behaviour.facts import FactKey, Facts
from k8s2ief.findings import Severity
from k8s2ief.paths import render

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
Predicate = Callable[[object, object], bool]


@dataclass(frozen=True)
class Cover:
    codes: frozenset[str]
    severity: Severity
    applies: Predicate | None = None  # when only some differences of the aspect are meant


def _cover(codes: str, severity: Severity, applies: Predicate | None = None) -> Cover:
    return Cover(frozenset(codes.split()), severity, applies)


def _one_second_apart(kubernetes: object, ief: object) -> bool:
    both = isinstance(kubernetes, int) and isinstance(ief, int)
    return both and abs(kubernetes - ief) <= 1  # type: ignore[operator]


def _dropped(kubernetes: object, ief: object) -> bool:
    return ief == MISSING


# aspect -> the findings that may explain a difference in it (KI501: 0 s became IEF's 1 s).
COVERS: Mapping[str, tuple[Cover, ...]] = {
    "env": (_cover("KI301 KI302 KI310 KI312 KI321", E), _cover("KI303 KI313", W)),
    "envFrom-unknown": (_cover("KI310", E),),
    "argv": (_cover("KI302 KI305 KI310 KI312 KI321", E),),
    "mount": (_cover("KI602 KI603 KI604 KI609 KI612 KI613", E), _cover("KI605", W)),
    "rejected": (_cover("KI613", E),),
    "probe": (_cover("KI009 KI507", E), _cover("KI504 KI505 KI506", W)),
    "probe-start": (
        _cover("KI508", E),
        _cover("KI501", I, _one_second_apart),
        _cover("KI009 KI507", E, _dropped),
        _cover("KI504 KI505", W, _dropped),
    ),
    "bind": (_cover("KI320", E), _cover("KI304 KI319", W)),
    "conflict": (_cover("KI320", E),),
    "instances": (_cover("KI201 KI320", E),),
    "replicas": (_cover("KI201", E),),
    "restart": (_cover("KI208", W),),
    "dns": (_cover("KI206", E), _cover("KI212", W)),
    "placement": (_cover("KI701 KI703 KI706", E), _cover("KI702 KI707", W)),
    "eviction": (_cover("KI207", W),),
}
CONTAINER_ASPECTS = frozenset({"env", "envFrom-unknown", "argv", "mount", "probe", "probe-start"})
PORT_ASPECTS = frozenset({"bind", "conflict"})
VOLUMES = ("spec", "template", "spec", "volumes")
MISSING = "<absent>"


@dataclass(frozen=True)
class Difference:
    key: FactKey
    kubernetes: object
    ief: object

    def __str__(self) -> str:
        return f"{self.key}: kubernetes {self.kubernetes!r}, ief {self.ief!r}"


@dataclass(frozen=True)
class Seen:
    """A finding as the coverage check needs it."""

    code: str
    severity: Severity
    path: str


def differences(kubernetes: Facts, ief: Facts) -> list[Difference]:
    keys = list(dict.fromkeys([*kubernetes, *ief]))
    return [
        Difference(key, kubernetes.get(key, MISSING), ief.get(key, MISSING))
        for key in keys
        if kubernetes.get(key, MISSING) != ief.get(key, MISSING)
    ]


def uncovered(
    found: Iterable[Difference],
    findings: Iterable[Seen],
    container_paths: Mapping[str, list[str]],
) -> list[Difference]:
    seen = list(findings)
    return [d for d in found if not _covered(d, seen, container_paths)]


def _covered(
    difference: Difference, findings: list[Seen], container_paths: Mapping[str, list[str]]
) -> bool:
    aspect = str(difference.key[0])
    scopes = _scopes(difference, container_paths)
    for cover in COVERS.get(aspect, ()):
        if cover.applies and not cover.applies(difference.kubernetes, difference.ief):
            continue
        for finding in findings:
            if (
                finding.code in cover.codes
                and finding.severity >= cover.severity
                and (scopes is None or any(_within(finding.path, s) for s in scopes))
            ):
                return True
    return False


def _scopes(difference: Difference, container_paths: Mapping[str, list[str]]) -> list[str] | None:
    """Manifest paths a covering finding must be under; None: anywhere in the document."""
    aspect = difference.key[0]
    if aspect in CONTAINER_ASPECTS:
        name = str(difference.key[1])
    elif aspect in PORT_ASPECTS:
        name = str(difference.ief if difference.ief != MISSING else difference.kubernetes)
    else:
        return None
    scopes = list(container_paths.get(name, []))
    if aspect == "mount" or aspect == "rejected":
        scopes.append(render(VOLUMES))
    return scopes or None


def _within(path: str, scope: str) -> bool:
    return path == scope or (path.startswith(scope) and path[len(scope)] in ".[")
