"""``python -m k8s2ief``."""

from k8s2ief.cli import run

run()
