"""Wall time of ``k8s2ief apply`` for 1,000 new deployments against the emulator (20 ms latency).

Ideal: 1000 x 20 ms / 8 in flight = 2.5 s, counting one request per deployment. Each new
deployment costs two (the lookup by name, then the create), so 5 s is the floor for this design.
Run: python benchmarks/apply_bench.py [COUNT] [LATENCY_MS] [PARALLEL]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    count, latency_ms, parallel = (int(a) for a in [*sys.argv[1:], "1000", "20", "8"][:3])
    home = tempfile.mkdtemp()
    os.environ.update(HOME=home, HUAWEICLOUD_SDK_AK="BENCHAK", HUAWEICLOUD_SDK_SK="bench-sk",
                      HUAWEICLOUD_SDK_PROJECT_ID="bench")
    from k8s2ief.cli import main as cli
    from k8s2ief.testing.emulator import Emulator, Faults

    manifests = Path(home) / "many.yaml"
    manifests.write_text("".join(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i:04d}}}\nspec:\n"
        f"  template:\n    spec:\n      containers: [{{name: main, image: 'nginx:1'}}]\n---\n"
        for i in range(count)))
    with Emulator({"BENCHAK": "bench-sk"}, "bench", faults=Faults(latency_ms=latency_ms)) as emu:
        args = ["apply", str(manifests), "--endpoint", emu.endpoint, "--node-id", "node-1",
                "--parallel", str(parallel)]
        stdout, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
        try:
            started = time.perf_counter()
            code = cli(args)
            elapsed = time.perf_counter() - started
        finally:
            sys.stdout = stdout
        requests = len(emu.request_log)
        assert code == 0 and len(emu.deployments) == count, (code, len(emu.deployments))
    ideal = count * latency_ms / 1000 / parallel
    print(f"deployments={count} latency_ms={latency_ms} parallel={parallel} requests={requests}")
    print(f"wall={elapsed:.2f}s ideal={ideal:.2f}s ratio={elapsed / ideal:.2f}")
    print(f"ideal at {requests / count:.1f} requests/deployment: "
          f"{requests * latency_ms / 1000 / parallel:.2f}s")


if __name__ == "__main__":
    main()
