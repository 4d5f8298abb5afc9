"""Run tasks on a few daemon threads, results in task order, and stop at once on Ctrl-C.

Not concurrent.futures: its pool waits for every queued task when the main thread leaves it,
and its threads keep the process alive until they finish. Here Ctrl-C sets ``stop`` (so no
queued task starts and no running one sends another request), waits a moment for the requests
in flight, and answers what finished; the threads are daemons, so the process can exit at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from k8s2ief.apply.retry import Interrupted

R = TypeVar("R")
GRACE_S = 2.0  # how long Ctrl-C waits for requests already sent to answer


class Batch(Generic[R]):
    """The results of ``run``: ``results[i]`` is None for a task that did not finish."""

    def __init__(self, size: int) -> None:
        self.results: list[R | None] = [None] * size
        self.started = [False] * size
        self.errors: list[Exception | None] = [None] * size
        self.interrupted = False


def run(tasks: Sequence[Callable[[], R]], parallel: int, stop: threading.Event) -> Batch[R]:
    """Run every task (tasks report their own failures; Interrupted leaves a result None)."""
    batch: Batch[R] = Batch(len(tasks))
    lock = threading.Condition()
    next_task = 0
    alive = 0

    def worker() -> None:
        nonlocal next_task, alive
        try:
            while not stop.is_set():
                with lock:
                    index, next_task = next_task, next_task + 1
                if index >= len(tasks):
                    return
                batch.started[index] = True
                try:
                    batch.results[index] = tasks[index]()
                except Interrupted:
                    return
                except Exception as error:  # a task's own bug: its item fails, the run goes on
                    batch.errors[index] = error
        finally:
            with lock:
                alive -= 1
                lock.notify_all()

    count = min(max(1, parallel), len(tasks))
    alive = count
    for _ in range(count):
        threading.Thread(target=worker, daemon=True).start()
    try:
        with lock:
            while alive:
                lock.wait(0.2)  # a timeout, so that Ctrl-C reaches the main thread promptly
    except KeyboardInterrupt:
        stop.set()
        batch.interrupted = True
        with lock:
            lock.wait_for(lambda: alive == 0, timeout=GRACE_S)
    return batch
