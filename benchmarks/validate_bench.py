"""CPU of validating IEF bodies: the schema interpreter against the generated checks.

Usage: python benchmarks/validate_bench.py [--rounds N] [--corpus DIR]

Converts the corpus Deployments (the same documents as benchmarks/run.py) once, then validates
their bodies repeatedly, the two schema layers alternated in one process so that both see the
same machine load; prints the best (minimum) CPU time of each over the rounds
(``time.process_time``), per body and for the whole set, and the same for ``validate_body`` (the
generated schema checks and the body rules) and for the body rules alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CORPUS, corpus_deployments

from k8s2ief import convert
from k8s2ief.ief.body_rules import check_rules
from k8s2ief.ief.schema import compiled_schema
from k8s2ief.ief.schema_checks import check_body
from k8s2ief.ief.validate import validate_body


def bodies(corpus: Path) -> list[dict[str, object]]:
    found = []
    for text in corpus_deployments(corpus):
        body = convert(yaml.load(text, Loader=yaml.CSafeLoader), node_id="n").body
        if body is not None:
            found.append(body)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    batch = bodies(args.corpus)
    interpreted = compiled_schema()

    def interpreter() -> None:
        for body in batch:
            interpreted(body, (), [])

    def generated() -> None:
        for body in batch:
            check_body(body, (), [])

    def rules() -> None:
        for body in batch:
            check_rules(body, "professional", [])

    def validate() -> None:
        for body in batch:
            validate_body(body)

    cases: dict[str, Callable[[], None]] = {
        "schema, interpreter": interpreter,
        "schema, generated checks": generated,
        "body rules": rules,
        "validate_body": validate,
    }
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):
        for name, run in cases.items():
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    print(f"{len(batch)} bodies, best of {args.rounds} rounds (CPU time)")
    for name, seconds in best.items():
        print(f"{name:26} {seconds * 1e3:8.2f} ms  {seconds / len(batch) * 1e6:7.1f} us/body")
    return 0


if __name__ == "__main__":
    sys.exit(main())
