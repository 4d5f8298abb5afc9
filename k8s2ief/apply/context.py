"""What every part of a run shares: per-thread sessions, retries, the listing, the options."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8s2ief.apply.model import JsonObject
from k8s2ief.apply.retry import Interrupted, Retrier, RetryPolicy

if TYPE_CHECKING:
    from k8s2ief.ief.client import IefSession


SPARE_THREADS = 8  # at most this many threads beyond --parallel
HANDOVER_WAIT_S = 0.05  # at most this long for a thread handed a slot to wake (Gate.__exit__)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    recreate: bool = False
    parallel: int = 8
    applyset: str | None = None
    prune: bool = False


class Gate:
    """At most ``limit`` requests on the wire at once, across every thread of a run.

    A run has more threads than ``--parallel`` (``Context.threads``): while ``limit`` requests
    wait for their answers, the other threads build and sign their next requests, and each
    sends the moment a slot frees, so the client's own time per request no longer leaves a
    slot idle. A freed slot goes straight to the longest waiting thread, whose request is
    ready: with a plain semaphore the thread that freed it took it back first (it still holds
    the interpreter's lock when the waiter wakes), and the slot stayed idle while that thread
    built its next request. The thread that hands a slot over then waits until the waiter has
    woken, so that the waiter has the interpreter's lock to send with. Once ``stop`` is set
    (Ctrl-C) a waiting request is never let out."""

    def __init__(self, limit: int, stop: threading.Event) -> None:
        self._lock = threading.Lock()
        self._free = limit
        # Each waiter's pair of locks: the first held until a slot is handed over to it, the
        # second until it has woken and taken the slot (see __exit__).
        self._waiting: deque[tuple[threading.Lock, threading.Lock]] = deque()
        self._stop = stop

    def __enter__(self) -> Gate:
        with self._lock:
            waiter = None
            if self._free and not self._waiting:
                self._free -= 1
            else:
                waiter = (threading.Lock(), threading.Lock())
                for lock in waiter:
                    lock.acquire()
                self._waiting.append(waiter)
        if waiter is None:
            return self._checked()
        handed, taken = waiter
        # A timeout, so that a stop is seen while every slot is taken by a slow request.
        while not handed.acquire(timeout=0.1):
            if self._stop.is_set():
                with self._lock:
                    if waiter in self._waiting:  # not handed a slot: leave the queue
                        self._waiting.remove(waiter)
                        raise Interrupted
                handed.acquire()  # handed a slot meanwhile: take it, then give it back
                break
        taken.release()
        return self._checked()

    def _checked(self) -> Gate:
        if self._stop.is_set():
            self.__exit__()
            raise Interrupted
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            if not self._waiting:
                self._free += 1
                return
            handed, taken = self._waiting.popleft()
            handed.release()  # the slot passes on, never freed
        # Wait (the interpreter's lock released) until the waiter has woken with the slot. Went
        # on at once, this thread would keep the interpreter's lock for the switch interval
        # while it reads its answer and builds its next request, and the handed slot would
        # idle all that time: the handover took 2.4 ms (median) before, on a slot of 26 ms.
        # The timeout only bounds a wait that cannot fail: the waiter releases ``taken`` as
        # soon as it wakes, stopped or not.
        if taken.acquire(timeout=HANDOVER_WAIT_S):
            taken.release()


class Context:
    """Sessions are made per thread by ``session_factory`` (the SDK client is not shared)."""

    def __init__(
        self,
        session_factory: Callable[[], IefSession],
        options: Options,
        policy: RetryPolicy,
        redact: Iterable[str],
    ) -> None:
        self._factory = session_factory
        self._local = threading.local()
        self._sessions: list[IefSession] = []
        self._sessions_lock = threading.Lock()
        self.options = options
        self.stop = threading.Event()
        self.gate = Gate(options.parallel, self.stop)
        # Threads per batch: --parallel requests in flight (the gate), and as many threads
        # again (up to 8 more) getting their next request ready meanwhile.
        self.threads = options.parallel + min(options.parallel, SPARE_THREADS)
        self.retrier = Retrier(policy, self.stop)
        self._redact = sorted({s for s in redact if s}, key=len, reverse=True)
        # The project's deployments by name, when listed up front (many targets, or a prune);
        # None: each target is looked up by name.
        self.listed: dict[str, JsonObject] | None = None

    def session(self) -> IefSession:
        session: IefSession | None = getattr(self._local, "session", None)
        if session is None:
            session = self._factory()
            session.limit_in_flight(self.gate)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def redact_also(self, values: Iterable[str]) -> None:
        """Scrub ``values`` too (Secret values, known once the input is planned)."""
        self._redact = sorted({*self._redact, *(s for s in values if s)}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """A message from IEF with every credential and Secret value scrubbed, cut short."""
        for secret in self._redact:
            text = text.replace(secret, "***")
        return text[:300]

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
