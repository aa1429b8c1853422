"""What a scan reports: cookies, storage keys and requests to known services (the JSON contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CookieFinding:
    name: str
    domain: str
    path: str
    party: str  # "first" or "third", against the site's registrable domain
    expires_days: float | None  # None for a session cookie
    http_only: bool
    secure: bool
    same_site: str
    set_by: str  # "set-cookie", "script" or "unknown"
    source_url: str | None  # the response or script that set it
    first_page: str
    before_consent: bool
    category: str
    classified_by: str
    declared: bool


@dataclass(frozen=True)
class StorageFinding:
    origin: str
    kind: str  # "local_storage" or "session_storage"
    key: str
    first_page: str
    party: str
    before_consent: bool
    category: str
    classified_by: str
    declared: bool


@dataclass(frozen=True)
class RequestFinding:
    host: str
    service: str
    category: str
    before_consent: bool
    count: int
    count_before_consent: int


@dataclass
class ScanResult:
    url: str
    pages: list[str]
    cookies: list[CookieFinding] = field(default_factory=list)
    storage: list[StorageFinding] = field(default_factory=list)
    requests: list[RequestFinding] = field(default_factory=list)
    #: How consent was given in the second pass: "consentkit", "selector", or None (one pass only).
    consent_method: str | None = None
    #: PNG of the first page as a new visitor saw it, when asked for.
    screenshot: bytes | None = field(default=None, repr=False)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "pages": self.pages,
            "consent_method": self.consent_method,
            "cookies": [asdict(cookie) for cookie in self.cookies],
            "storage": [asdict(entry) for entry in self.storage],
            "requests": [asdict(request) for request in self.requests],
            "errors": self.errors,
        }
