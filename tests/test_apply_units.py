"""The apply package's pure parts: names, ownership tags, comparison, the executor."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from k8s2ief.apply import executor
from k8s2ief.apply.compare import differences
from k8s2ief.apply.context import Gate
from k8s2ief.apply.model import Target
from k8s2ief.apply.plan import (
    APPLYSET_KEY,
    MAX_TAGS,
    applyset_problem,
    fan_out,
    fanned_name,
    name_collisions,
    owned,
)
from k8s2ief.apply.retry import Interrupted


def test_fanned_names_differ_for_names_cut_to_the_same_stem() -> None:
    names = {
        fanned_name(f"inventory-service-frontend-{x}", node)
        for x in ("alpha", "beta")
        for node in ("edge-a", "edge-b")
    }
    assert len(names) == 4 and all(len(n) <= 32 for n in names)
    assert fanned_name("app", "edge-a") == fanned_name("app", "edge-a")  # deterministic


def test_collisions_are_named_with_their_sources() -> None:
    targets = [
        Target("app", None, {}, source="a.yaml:1"),
        Target("other", None, {}),
        Target("app", None, {}, source="b.yaml:7"),
    ]
    assert name_collisions(targets) == ["2 deployments would be named app (a.yaml:1, b.yaml:7)"]
    one = fan_out(Target("app", None, {"name": "app", "group_id": "g"}), ["n1"])
    assert [(t.name, t.body) for t in one] == [("app", {"name": "app", "node_ids": ["n1"]})]


def test_ownership_tag_fits_both_editions() -> None:
    assert applyset_problem("shop_2-prod") is None
    assert applyset_problem("x" * 43) is None
    for bad in ("x" * 44, "has space", "dot.ted", ""):
        assert applyset_problem(bad)
    target = owned(Target("a", None, {"tags": [{"key": "team", "value": "x"}]}), "shop")
    assert target.body == {
        "tags": [{"key": "team", "value": "x"}, {"key": APPLYSET_KEY, "value": "shop"}]
    }
    assert len(APPLYSET_KEY) <= 36
    full = [{"key": f"k{i}", "value": "v"} for i in range(MAX_TAGS)]
    assert owned(Target("a", None, {"tags": full}), "shop").blocked_code == "APPLYSET_TAGS"


def test_equal_bodies_are_unchanged_and_types_still_count() -> None:
    assert differences({"a": [1, {"b": "c"}]}, {"a": [1, {"b": "c"}]}) == []
    assert differences({"replicas": 1}, {"replicas": 1.0}) != []
    assert differences({"x": True}, {"x": 1}) != []


def test_executor_keeps_order_errors_and_interruptions() -> None:
    def boom() -> int:
        raise KeyError("bug")

    def stop() -> int:
        raise Interrupted

    tasks = [lambda i=i: i * 10 for i in range(20)]
    tasks[3], tasks[5] = boom, stop
    batch = executor.run(tasks, 4, threading.Event())
    assert batch.results[0] == 0 and batch.results[19] == 190
    assert isinstance(batch.errors[3], KeyError) and batch.results[3] is None
    assert batch.results[5] is None and not batch.interrupted


def test_executor_starts_nothing_once_stopped() -> None:
    stopped = threading.Event()
    stopped.set()
    batch = executor.run([lambda: 1, lambda: 2], 2, stopped)
    assert batch.results == [None, None] and batch.started == [False, False]


@pytest.mark.parametrize("parallel", [1, 8])
def test_executor_with_nothing_to_do(parallel: int) -> None:
    assert executor.run([], parallel, threading.Event()).results == []


def test_the_gate_lets_at_most_its_limit_through_and_nothing_once_stopped() -> None:
    stop = threading.Event()
    gate = Gate(2, stop)
    inside, most = 0, 0
    count = threading.Lock()

    def request() -> int:
        nonlocal inside, most
        with gate:
            with count:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with count:
                inside -= 1
        return 1

    batch = executor.run([request] * 24, 8, stop)
    assert batch.results == [1] * 24 and most == 2
    stop.set()
    with pytest.raises(Interrupted), gate:
        pytest.fail("a stopped gate let a request out")


def test_a_freed_slot_goes_to_the_waiting_thread_not_back_to_the_one_that_freed_it() -> None:
    gate = Gate(1, threading.Event())
    order: list[str] = []
    queued = threading.Event()

    def waiter() -> None:
        queued.set()
        with gate:
            order.append("waiter")

    with gate:
        thread = threading.Thread(target=waiter)
        thread.start()
        queued.wait()
        while not gate._waiting:  # the waiter is in the gate's queue
            time.sleep(0.001)
    with gate:  # freed, then asked for again at once by the same thread
        order.append("freer")
    thread.join()
    assert order == ["waiter", "freer"]


class _Watched:
    """A lock whose acquisitions are recorded (what each acquire answered)."""

    def __init__(self, lock: Any, answers: list[bool]) -> None:
        self._lock, self._answers = lock, answers

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        answer = bool(self._lock.acquire(*args, **kwargs))
        self._answers.append(answer)
        return answer

    def release(self) -> None:
        self._lock.release()


def test_the_thread_that_hands_a_slot_over_waits_until_the_waiter_has_woken() -> None:
    gate = Gate(1, threading.Event())
    answers: list[bool] = []
    inside = threading.Event()

    def waiter() -> None:
        with gate:
            inside.set()

    with gate:
        thread = threading.Thread(target=waiter)
        thread.start()
        while not gate._waiting:
            time.sleep(0.001)
        handed, taken = gate._waiting[0]
        gate._waiting[0] = (handed, _Watched(taken, answers))  # type: ignore[assignment]
    # The freeing thread's __exit__ returned after taking the waiter's "taken" lock, which
    # only the woken waiter releases: not after the timeout.
    assert answers == [True]
    thread.join()
    assert inside.is_set() and not gate._waiting


def test_a_stop_releases_threads_waiting_at_the_gate() -> None:
    stop = threading.Event()
    gate = Gate(1, stop)
    outcome: list[str] = []

    def waiter() -> None:
        try:
            with gate:
                outcome.append("let out")
        except Interrupted:
            outcome.append("interrupted")

    with gate:
        thread = threading.Thread(target=waiter)
        thread.start()
        while not gate._waiting:
            time.sleep(0.001)
        stop.set()
        thread.join()
    assert outcome == ["interrupted"] and not gate._waiting
