"""Server-side check of Huawei Cloud's SDK-HMAC-SHA256 request signature.

Written from the published algorithm (see shared/ief-api-notes.md), not from the SDK's signer, so
that the emulator catches a client that signs differently from what the gateway expects. The test
suite checks it against requests signed by the real SDK.

The canonical request is, one part a line: the method; the path with every segment
percent-encoded (only ``A-Za-z0-9-_.~`` left bare) and ending in ``/``; the query pairs, sorted
and encoded the same way, joined by ``&``; one ``name:value`` line per signed header; the signed
header names joined by ``;``; the hex SHA-256 of the body.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Protocol
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# The gateway refuses a request whose X-Sdk-Date is further than this from its own clock.
MAX_CLOCK_SKEW = timedelta(minutes=15)
# Headers a signature must cover: the date is part of the string to sign anyway, and signing
# the host stops a request captured for one endpoint from being replayed to another.
REQUIRED_SIGNED_HEADERS = frozenset({"host", "x-sdk-date"})

MISMATCH = "the signature does not match the request"

_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<headers>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]+)$"
)


class Headers(Protocol):
    """What the check needs of request headers: a case-insensitive ``get``."""

    def get(self, name: str, default: None = None) -> str | None: ...


class SignatureError(Exception):
    """The request is not signed as the gateway requires; ``str()`` says why, never with a key."""


def encode(text: str) -> str:
    """RFC 3986 percent-encoding that leaves only ``A-Za-z0-9-_.~`` bare."""
    return quote(text, safe="~")


def canonical_path(path: str) -> str:
    segments = [encode(segment) for segment in unquote(path).split("/")]
    joined = "/".join(segments)
    return joined if joined.endswith("/") else joined + "/"


def query_pairs(query: str) -> list[tuple[str, str]]:
    """Decoded ``(name, value)`` pairs of a raw query string, in their order.

    ``+`` stays a plus sign: signed clients send a space as ``%20``.
    """
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def canonical_query(query: str) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(query_pairs(query)))


def header_value(headers: Headers, name: str) -> str | None:
    """A header as the client meant it, trimmed.

    http.server decodes header bytes as ISO-8859-1, while the SDK signs the text and sends it
    UTF-8 encoded: undo that so non-ASCII values (an instance id, say) verify too.
    """
    value = headers.get(name)
    if value is None:
        return None
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.strip()


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Headers,
    signed_headers: list[str],
    body: bytes,
) -> str:
    lines = [method.upper(), canonical_path(path), canonical_query(query)]
    for name in signed_headers:
        value = header_value(headers, name)
        if value is None:
            raise SignatureError(f"signed header {name!r} is missing from the request")
        lines.append(f"{name}:{value}")
    lines.append("")  # the header block ends with its own newline
    lines.append(";".join(signed_headers))
    lines.append(hashlib.sha256(body).hexdigest())
    return "\n".join(lines)


def string_to_sign(sdk_date: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, text: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=64)
def _parsed_date(sdk_date: str) -> datetime | None:
    """The date of an X-Sdk-Date (None if malformed); cached: the requests of one second share
    it, and strptime was a fifth of the signature check (cProfile)."""
    try:
        return datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _signed_date(headers: Headers, now: datetime) -> str:
    """The request's X-Sdk-Date, once it is known to be well formed and recent."""
    sdk_date = header_value(headers, DATE_HEADER)
    if not sdk_date:
        raise SignatureError(f"{DATE_HEADER} header is missing")
    signed_at = _parsed_date(sdk_date)
    if signed_at is None:
        raise SignatureError(f"{DATE_HEADER} is not YYYYMMDDTHHMMSSZ")
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError(f"{DATE_HEADER} is more than 15 minutes away from the server clock")
    return sdk_date


def verify(
    method: str,
    target: str,
    headers: Headers,
    body: bytes,
    secret_keys: Mapping[str, str],
    now: datetime | None = None,
) -> str:
    """Check the request's signature; return its access key or raise SignatureError.

    ``target`` is the request line's target (path and query); ``secret_keys`` maps each accepted
    access key to its secret key.
    """
    match = _AUTHORIZATION.match(header_value(headers, "Authorization") or "")
    if match is None:
        raise SignatureError(f"Authorization header is missing or not {ALGORITHM}")
    # An unknown access key is answered as a wrong signature, after the same work: the answer
    # must not tell which access keys exist.
    known = match["ak"] in secret_keys
    secret_key = secret_keys.get(match["ak"], "\0unknown access key")
    sdk_date = _signed_date(headers, now or datetime.now(timezone.utc))
    signed_headers = match["headers"].split(";")
    missing = REQUIRED_SIGNED_HEADERS.difference(signed_headers)
    if missing:
        raise SignatureError(f"SignedHeaders must include {', '.join(sorted(missing))}")
    path, _, query = target.partition("?")
    canonical = canonical_request(method, path, query, headers, signed_headers, body)
    expected = signature(secret_key, string_to_sign(sdk_date, canonical))
    if not hmac.compare_digest(expected, match["signature"].lower()) or not known:
        raise SignatureError(MISMATCH)
    return match["ak"]
