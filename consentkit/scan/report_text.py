"""The scan as tables on a terminal: cookies and storage keys grouped by category, then service hosts."""

from __future__ import annotations

from collections.abc import Sequence

from ..categories import ALL_CATEGORIES
from .classify import UNKNOWN
from .findings import ScanResult
from .lifetimes import as_written

_KIND = {"cookie": "cookie", "local_storage": "localStorage", "session_storage": "sessionStorage"}


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def render_text(result: ScanResult) -> str:
    lines = [f"{result.url}: {len(result.pages)} page(s) scanned, {consent_note(result.consent_method)}", ""]
    header = ("name", "kind", "party", "lifetime", "set by", "source", "before consent", "classified by", "declared")
    for category in (*ALL_CATEGORIES, UNKNOWN):
        rows = [
            (
                cookie.name,
                "cookie",
                cookie.party,
                str(as_written(cookie.expires_days)),
                cookie.set_by,
                cookie.source_url or "",
                _yes(cookie.before_consent),
                cookie.classified_by,
                _yes(cookie.declared),
            )
            for cookie in result.cookies
            if cookie.category == category
        ]
        rows += [
            (
                entry.key,
                _KIND[entry.kind],
                entry.party,
                str(as_written(None, entry.kind)),
                "",
                entry.origin,
                _yes(entry.before_consent),
                entry.classified_by,
                _yes(entry.declared),
            )
            for entry in result.storage
            if entry.category == category
        ]
        if rows:
            lines += [f"{category} ({len(rows)})", *("  " + line for line in table([header, *rows])), ""]
    if result.requests:
        services = [
            (request.host, request.service, request.category, _yes(request.before_consent), str(request.count))
            for request in result.requests
        ]
        lines += [
            "requests to known services",
            *("  " + line for line in table([("host", "service", "category", "before consent", "count"), *services])),
            "",
        ]
    if not (result.cookies or result.storage or result.requests):
        lines += ["nothing stored, no known service called", ""]
    lines += [f"error: {error}" for error in result.errors]
    return "\n".join(lines).rstrip() + "\n"


def consent_note(method: str | None) -> str:
    """How the pages were seen, for the heading of a report."""
    if method == "consentkit":
        return "as a new visitor and after accepting all (consentkit)"
    if method == "selector":
        return "as a new visitor and after clicking --accept-selector"
    return "as a new visitor only (use --accept-selector to scan after consent)"


def _yes(value: bool) -> str:
    return "yes" if value else "no"
