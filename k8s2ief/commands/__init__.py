"""One module per command; each returns an exit code (see k8s2ief.cli)."""
