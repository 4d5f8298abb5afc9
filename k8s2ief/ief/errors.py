"""What a failed call to IEF means for the caller; no SDK import, so planning code can use it."""

from __future__ import annotations

# Pseudo error codes for failures that never reached an answer, or an answer that was not one.
CONNECTION_ERROR = "CONNECTION_ERROR"
READ_TIMEOUT = "READ_TIMEOUT"
TLS_ERROR = "TLS_ERROR"
SDK_ERROR = "SDK_ERROR"
BAD_ANSWER = "BAD_ANSWER"  # 2xx whose body is not the JSON the API answers (a proxy's page)
NOT_FOUND = "IEF.100004"


class IefError(Exception):
    """A call to IEF failed.

    ``status`` is the HTTP status, None when no answer came. ``retryable`` is True for 429, 5xx
    and connection failures. ``outcome_unknown`` is True when a write failed in a way that does
    not tell whether it took effect (no answer, a 5xx, an answer that is not the API's): look
    before writing again. ``retry_after`` is the Retry-After header in seconds, when the SDK let
    it through. ``attempts`` is set by the caller that gave up retrying.
    """

    def __init__(
        self,
        status: int | None,
        error_code: str,
        error_msg: str,
        retryable: bool,
        outcome_unknown: bool,
        *,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{error_code} (HTTP {status or 'no answer'}): {error_msg}")
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        self.request_id = request_id
        self.attempts = 0


class Stopped(Exception):
    """Raised by a caller's gate inside a call, before the request went out: the run is
    stopping. IefSession lets it through as it is (it is no failed call)."""
