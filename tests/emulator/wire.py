"""HTTP request/response value objects and the date formats the Batch service uses on the wire."""

from __future__ import annotations

import datetime
import email.utils
import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

# .NET ticks (100 ns units since 0001-01-01) at the Unix epoch; Batch ETags are these ticks in hex.
_TICKS_AT_EPOCH = 621355968000000000


def utc(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)


def iso7(epoch: float) -> str:
    """ISO 8601 with seven fractional digits and Z, like ``2024-10-24T01:15:18.9955081Z``."""
    seconds, fraction = divmod(int(round(epoch * 10_000_000)), 10_000_000)
    return f"{utc(seconds):%Y-%m-%dT%H:%M:%S}.{fraction:07d}Z"


def http_date(epoch: float) -> str:
    """RFC 1123 date, like ``Thu, 24 Oct 2024 01:15:18 GMT``."""
    return email.utils.formatdate(epoch, usegmt=True)


def parse_http_date(text: str) -> float | None:
    """Epoch seconds of an RFC 1123 (or RFC 850 / asctime) date; None when it cannot be read."""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def parse_iso(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 date-time (any number of fractional digits, Z or offset)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    head, dot, rest = value.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


_DURATION = re.compile(r"\AP(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\Z")


def parse_duration(text: str) -> float | None:
    """Seconds of an ISO 8601 duration as Batch writes them (.NET TimeSpan: days, hours, minutes, seconds)."""
    match = _DURATION.match(text or "")
    if match is None or text == "P":
        return None
    days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def ticks(epoch: float) -> int:
    return int(epoch * 10_000_000) + _TICKS_AT_EPOCH


def etag_for_ticks(value: int) -> str:
    """Unquoted ETag in the form the service sends, like ``0x8DCF3C953387E09``."""
    return f"0x{value:X}"


def split_query(raw_query: str) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs in order, blanks kept; '+' means space as in form encoding."""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _equals, value = part.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


@dataclass
class Request:
    """One HTTP request as the emulator's routes see it."""

    method: str
    raw_path: str
    raw_query: str
    headers: dict  # lowercase name -> value (repeated headers joined with ",")
    body: bytes = b""
    query_pairs: list = field(default_factory=list)

    def __post_init__(self):
        if not self.query_pairs:
            self.query_pairs = split_query(self.raw_query)

    @property
    def segments(self) -> list[str]:
        """URL-decoded path segments, without empty ones."""
        return [unquote(part) for part in self.raw_path.split("/") if part]

    def query(self, name: str) -> str | None:
        """First value of a query parameter; names are matched case-insensitively."""
        wanted = name.lower()
        for key, value in self.query_pairs:
            if key.lower() == wanted:
                return value
        return None

    def query_dict(self) -> dict:
        result = {}
        for key, value in self.query_pairs:
            result.setdefault(key, value)
        return result

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self):
        """The body parsed as JSON (None when empty); ValueError when malformed."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    """One HTTP response; ``drop`` asks the server to close the connection instead of answering."""

    status: int
    headers: list = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None
    error_code: str | None = None
    auth_scheme: str | None = None
    drop: bool = False

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


def json_response(status: int, document, headers=None, content_type="application/json") -> Response:
    body = json.dumps(document, separators=(",", ":")).encode("utf-8")
    return Response(status=status, headers=[("Content-Type", content_type)] + list(headers or []), body=body)
