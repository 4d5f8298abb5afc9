"""Behavioural counts of a `k8s2ief convert` run: bodies with host-port conflicts, bodies with
uncovered behavioural differences, and documents per status.

    k8s2ief convert DIR --node-id n1 --edition E --report-format json --report-file r.json \
        -o jsonl > bodies.jsonl
    python scripts/behaviour_counts.py DIR r.json bodies.jsonl [--show N]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from k8s2ief.behaviour import Seen, compare, container_paths, node_port_clashes
from k8s2ief.behaviour.coverage import uncovered
from k8s2ief.findings import Severity
from k8s2ief.load import Limits, iter_documents
from k8s2ief.pipeline import siblings_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("report")
    parser.add_argument("bodies")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    files = sorted(
        str(p) for p in Path(args.corpus).rglob("*") if p.suffix in (".yaml", ".yml", ".json")
    )
    documents = list(iter_documents(files, Limits()))
    siblings = siblings_of(documents)
    manifests = {(d.source, d.line): d.data for d in documents if d.kind == "Deployment"}
    report = json.loads(Path(args.report).read_text())
    bodies = [json.loads(line) for line in Path(args.bodies).read_text().splitlines() if line]
    with_body = [
        d for d in report["documents"] if d["kind"] == "Deployment" and d["status"] != "skipped"
    ]
    with_body = [d for d in with_body if (d["file"], d["line"]) in manifests]
    assert len(with_body) == len(bodies), (len(with_body), len(bodies))
    clashes = node_port_clashes(bodies)
    conflicts = uncovered_bodies = 0
    shown = 0
    for doc, body, clash in zip(with_body, bodies, clashes, strict=True):
        manifest = manifests[(doc["file"], doc["line"])]
        found = compare(manifest, body, siblings)
        if clash or any(d.key[0] in ("conflict", "instances") for d in found):
            conflicts += 1
        seen = [Seen(f["code"], Severity.parse(f["severity"]), f["path"]) for f in doc["findings"]]
        left = uncovered(found, seen, container_paths(manifest))
        if clash and not any(f.code == "KI320" for f in seen):
            left.append(f"node ports {clash} already bound by an earlier body")  # type: ignore[arg-type]
        if left:
            uncovered_bodies += 1
            if shown < args.show:
                shown += 1
                print(doc["file"], doc["line"], *[str(d) for d in left[:4]], sep="\n  ")
    statuses = Counter(d["status"] for d in report["documents"] if d["kind"] == "Deployment")
    print(
        json.dumps(
            {
                "bodies": len(bodies),
                "host_port_conflicts": conflicts,
                "uncovered": uncovered_bodies,
                "status": dict(sorted(statuses.items())),
            }
        )
    )


if __name__ == "__main__":
    main()
