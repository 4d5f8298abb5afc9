"""Submit IEF deployments idempotently: plan against what IEF holds, then create, update, prune.

One module per concern: ``model`` (targets and outcomes), ``plan`` (fan-out, names, ownership),
``compare`` (what differs), ``retry`` (backoff, interruption), ``executor`` (threads),
``deploy`` and ``kv`` (one deployment, one ConfigMap or Secret), ``prune``, ``wait`` and
``applier`` (the run as a whole). Nothing here imports the SDK or deepdiff at import time: the
submit path loads them once, in the main thread, before any work starts.
"""
