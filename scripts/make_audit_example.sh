#!/bin/sh
# Regenerate docs/audit-example.md: the Markdown audit of the shared corpus.
# Runs from /work/shared (or $CORPUS_PARENT) so the report names files corpus/real/...
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "${CORPUS_PARENT:-/work/shared}"
# Exit 1 (blockers found) is the expected outcome here, not a failure of the script.
python -m k8s2ief audit corpus --format markdown --node-id example-node --quiet \
    --output "$repo/docs/audit-example.md" || [ $? -eq 1 ]
echo "wrote $repo/docs/audit-example.md"
