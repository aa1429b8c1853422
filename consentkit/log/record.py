"""One logged decision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class ConsentRecord:
    """What was decided, by whom (pseudonymously), when, and on seeing which text.

    No IP address or user agent: the consent id links the record to the
    visitor's cookie, which is all a controller needs to demonstrate consent.
    """

    consent_id: str
    recorded_at: datetime
    policy_version: str
    text_hash: str
    granted: tuple[str, ...]
    denied: tuple[str, ...]
    method: str
    locale: str
    #: The site's services (preset keys) allowed and not allowed, one by one.
    services_granted: tuple[str, ...] = ()
    services_denied: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "recorded_at": format_utc(self.recorded_at),
            "policy_version": self.policy_version,
            "text_hash": self.text_hash,
            "granted": list(self.granted),
            "denied": list(self.denied),
            "method": self.method,
            "locale": self.locale,
            "services_granted": list(self.services_granted),
            "services_denied": list(self.services_denied),
        }


def text_hash_of(canonical: str) -> str:
    """The hash a record keeps of the exact texts a visitor was shown."""
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
