"""Retrying one request with backoff, and stopping every worker at once on Ctrl-C."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from k8s2ief.ief.errors import IefError, Stopped

T = TypeVar("T")


class Interrupted(Stopped):
    """The run is stopping (Ctrl-C): no further request is sent."""


class OutcomeUnknown(Exception):
    """A write may have taken effect, and looking it up afterwards failed too."""

    def __init__(self, error: IefError, lookup: IefError) -> None:
        super().__init__(error.error_msg)
        self.error = error
        self.lookup = lookup


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = random.uniform(backoff / 2, backoff)
        return max(jittered, min(retry_after or 0.0, self.max_delay))


@dataclass
class Tally:
    """One deployment's requests; ``uncertain`` once a write failed without telling whether it
    took effect."""

    requests: int = 0
    uncertain: bool = False


class Retrier:
    """Calls with retries; every wait and every new request first checks ``stop``."""

    def __init__(self, policy: RetryPolicy, stop: threading.Event) -> None:
        self.policy = policy
        self.stop = stop

    def call(
        self,
        tally: Tally,
        call: Callable[[], T],
        before_retry: Callable[[], T | None] | None = None,
    ) -> T:
        """``before_retry`` runs before a write whose outcome is unknown is sent again and,
        when it answers something, that answer ends the retries."""
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Interrupted
            attempt += 1
            tally.requests += 1
            try:
                return call()
            except IefError as error:
                tally.uncertain = tally.uncertain or error.outcome_unknown
                if not error.retryable or attempt >= self.policy.attempts:
                    error.attempts = tally.requests
                    raise
                if self.stop.wait(self.policy.delay(attempt, error.retry_after)):
                    raise Interrupted from None
                if error.outcome_unknown and before_retry is not None:
                    found = before_retry()
                    if found is not None:
                        return found

    def settle(self, tally: Tally, error: IefError, took_effect: Callable[[], bool]) -> None:
        """After a write failed for good: return when IEF shows it took effect after all; raise
        ``error`` when it shows it did not; OutcomeUnknown when it cannot be looked up."""
        if not tally.uncertain:
            raise error
        try:
            done = took_effect()
        except IefError as lookup:
            raise OutcomeUnknown(error, lookup) from None
        if not done:
            raise error
