"""The emulator's misbehaviour on purpose: latency, errors, throttling, lost answers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """Misbehaviour to inject; rates are probabilities per request, drawn from ``seed``.

    ``reset_rate``, ``error_rate`` and ``throttle_rate`` strike before the request is even
    authenticated, so nothing is committed. ``commit_timeout_rate`` strikes on writes after the
    change is committed: the connection is held ``commit_hold_s`` seconds (longer than the
    client's read timeout gives a read timeout; 0 drops it at once) and then reset unanswered.
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after_s: int = 1
    commit_timeout_rate: float = 0.0
    commit_hold_s: float = 2.0
    reset_rate: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "throttle_rate", "commit_timeout_rate", "reset_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Faults.{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.commit_hold_s < 0 or self.retry_after_s < 0:
            raise ValueError("Faults durations must not be negative")
