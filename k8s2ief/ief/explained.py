"""Which converter findings explain a body violation: the converter already reported the same
problem in the manifest (and kept the value, so that the body shows it).

Rules a schema cannot say are named by id (k8s2ief.ief.validate.CODE_RULES); schema violations by
the body field they are about. The pipeline accepts an explanation only from a finding about the
same manifest field (k8s2ief.rules.origins maps the body path back), so one container's error
never hides another container's violation.
"""

from __future__ import annotations

from collections.abc import Mapping

from k8s2ief.ief.validate import Violation

RULE_CODES: Mapping[str, frozenset[str]] = {
    rule: frozenset(codes.split())
    for rule, codes in {
        "one-target": "KI107 KI108",
        "one-node": "KI108",
        "resource-range": "KI401 KI403 KI408",
        "requests-within-limits": "KI402",
        "probe-one-handler": "KI009 KI507",
        "match-expression-values": "KI703",
        "unique-container-names": "KI318",
        "unique-env-names": "KI303",
        "edition-affinity": "KI701",
        "edition-replicas": "KI201",
        "argv-length": "KI305",
    }.items()
}
# Schema violations by body field ([*] for any index, init_containers read as containers).
FIELD_CODES: Mapping[str, frozenset[str]] = {
    field: frozenset(codes.split())
    for field, codes in {
        "": "KI102 KI317",  # a required top-level field is missing: the name or the deployment
        "name": "KI101 KI102",
        "description": "KI106",
        "deployment.replicas": "KI009 KI201",
        "deployment.annotations": "KI111",
        "deployment.template": "KI317",
        "deployment.template.containers": "KI317",
        "deployment.template.containers[*]": "KI308 KI309",
        "deployment.template.containers[*].name": "KI308",
        "deployment.template.containers[*].image_url": "KI309",
        "deployment.template.containers[*].command": "KI305",
        "deployment.template.containers[*].args": "KI305",
        "deployment.template.containers[*].run_as_user": "KI803",
        "deployment.template.containers[*].envs[*]": "KI301 KI302 KI312",
        "deployment.template.containers[*].resources": "KI402 KI403 KI406 KI407 KI408",
        "deployment.template.containers[*].ports[*]": "KI009",
        "deployment.template.containers[*].liveness_probe": "KI009 KI507 KI508",
        "deployment.template.containers[*].readiness_probe": "KI009 KI507 KI508",
        "deployment.template.containers[*].volumes[*]": "KI612",
    }.items()
}


def explained_by(violation: Violation) -> frozenset[str]:
    """The converter codes that may explain ``violation`` (empty: none can)."""
    if violation.rule in RULE_CODES:
        return RULE_CODES[violation.rule]
    parts = [
        "[*]" if isinstance(p, int) else "containers" if p == "init_containers" else p
        for p in violation.parts
    ]
    if not parts:
        return FIELD_CODES[""]  # the body itself: a top-level field is missing
    for end in range(len(parts), 0, -1):
        field = ".".join(parts[:end]).replace(".[*]", "[*]")
        if field in FIELD_CODES:
            return FIELD_CODES[field]
    return frozenset()
