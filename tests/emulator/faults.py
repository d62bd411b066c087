"""Fault injection: rules chosen by method and path, and seeded random faults.

Kinds:
- ``status``: answer with an error status and the Batch error body (429 TooManyRequests,
  503 ServerBusy, 500 InternalError or OperationTimedOut ...), optionally with Retry-After;
- ``reset``: close the connection without an answer; the request is not applied;
- ``timeout``: wait ``delay`` seconds, then answer normally;
- ``lost_response``: apply the request, then close the connection without an answer.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

from .errors import DEFAULT_CODE_FOR_STATUS, BatchApiError
from .wire import http_date

FAULT_KINDS = ("status", "reset", "timeout", "lost_response")
RANDOM_STATUSES = (429, 503, 500)


@dataclass
class Fault:
    kind: str
    status: int = 503
    code: str | None = None
    retry_after: object = None  # seconds (number), or a header value used as is (string)
    retry_after_format: str = "seconds"  # or "http-date": the number of seconds from now as an HTTP date
    delay: float = 0.0

    def error(self, now):
        """The BatchApiError a ``status`` fault answers with."""
        code = self.code or DEFAULT_CODE_FOR_STATUS.get(self.status, "InternalError")
        headers = []
        if self.retry_after is not None:
            headers.append(("Retry-After", self._retry_after_value(now)))
        return BatchApiError(code, status=self.status, headers=headers)

    def _retry_after_value(self, now):
        if isinstance(self.retry_after, str):
            return self.retry_after
        if self.retry_after_format == "http-date":
            return http_date(now + float(self.retry_after))
        return f"{float(self.retry_after):g}"


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    path: re.Pattern | None
    times: int | None
    hits: int = 0

    def matches(self, method, path):
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method not in ("*", method.upper()):
            return False
        return self.path is None or bool(self.path.search(path))


def _fault_from(spec, default_kind=None):
    kind = spec.get("kind", default_kind)
    if kind not in FAULT_KINDS:
        raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}; got {kind!r}")
    retry_format = spec.get("retry_after_format", "seconds")
    if retry_format not in ("seconds", "http-date"):
        raise ValueError("retry_after_format must be 'seconds' or 'http-date'")
    return Fault(kind=kind, status=int(spec.get("status", 503)), code=spec.get("code"),
                 retry_after=spec.get("retry_after"), retry_after_format=retry_format,
                 delay=float(spec.get("delay", 0.0)))


class FaultInjector:
    """Holds the fault rules and the random fault settings; picks the fault for each request."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._random = None
        self._rng = random.Random(0)

    def configure(self, document):
        """Replace the rules and random settings with ``{"rules": [...], "random": {...}}``."""
        rules = []
        for spec in document.get("rules") or []:
            times = spec.get("times")
            pattern = spec.get("path")
            try:
                compiled = re.compile(pattern) if pattern else None
            except re.error as exc:
                raise ValueError(f"path is not a regular expression: {exc}") from exc
            rules.append(_Rule(fault=_fault_from(spec), method=(spec.get("method") or "").upper() or None,
                               path=compiled, times=None if times is None else int(times)))
        settings = document.get("random")
        if settings:
            settings = dict(settings)
            rate = float(settings.get("rate", 0.0))
            if not 0.0 <= rate <= 1.0:
                raise ValueError("random.rate must be between 0 and 1")
            kinds = settings.get("kinds") or ["status"]
            for kind in kinds:
                _fault_from({"kind": kind})
            settings.update(rate=rate, kinds=list(kinds), statuses=list(settings.get("statuses") or RANDOM_STATUSES))
        with self._lock:
            self._rules = rules
            self._random = settings or None
            self._rng = random.Random((settings or {}).get("seed", 0))

    def clear(self):
        self.configure({})

    def pick(self, method, path, random_allowed=True):
        """The fault for this request, or None. Rules first (in order), then the random faults."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    return rule.fault
            settings = self._random
            if not settings or not random_allowed or self._rng.random() >= settings["rate"]:
                return None
            kind = self._rng.choice(settings["kinds"])
            status = self._rng.choice(settings["statuses"])
        return _fault_from({**settings, "kind": kind, "status": status, "code": None})

    def describe(self):
        with self._lock:
            rules = [{"method": rule.method, "path": rule.path.pattern if rule.path else None, "kind": rule.fault.kind,
                      "status": rule.fault.status, "code": rule.fault.code, "retry_after": rule.fault.retry_after,
                      "times": rule.times, "hits": rule.hits, "delay": rule.fault.delay} for rule in self._rules]
            return {"rules": rules, "random": dict(self._random) if self._random else None}
