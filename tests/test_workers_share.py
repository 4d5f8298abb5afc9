"""in_workers(share=True): this process runs some tasks itself, the answers stay in order."""

from __future__ import annotations

import os
import time

from k8s2ief.workers import Ready, in_workers, worker_state


def _where(item: int) -> tuple[int, int, object]:
    time.sleep(0.01)  # long enough that the parent finds answers not in yet
    return item, os.getpid(), worker_state()


def test_the_parent_takes_tasks_no_worker_started_and_answers_keep_their_order() -> None:
    items: list[int | Ready[tuple[int, int, object]]] = list(range(40))
    items[5] = Ready((5, -1, "ready"))  # computed earlier: keeps its place
    answers = list(in_workers(_where, items, "state", 2, 4, share=True))
    assert [item for item, _pid, _state in answers] == list(range(40))
    pids = {pid for _item, pid, _state in answers} - {-1}
    assert os.getpid() in pids and len(pids) == 2  # the parent and its one worker
    assert {state for _item, _pid, state in answers} == {"state", "ready"}


def test_without_share_only_workers_run_tasks() -> None:
    answers = list(in_workers(_where, range(12), "state", 2, 4))
    assert [item for item, _pid, _state in answers] == list(range(12))
    assert os.getpid() not in {pid for _item, pid, _state in answers}
