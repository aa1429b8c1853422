"""Transfers outside the EU/EEA and the safeguard each one rests on (GDPR chapter V).

The notice names, for every cookie and service whose data leaves the EU/EEA,
the country and the legal instrument that makes the transfer lawful. A site's
own ``[[cookies]]`` and a preset give it as ``transfer_safeguard``; a site may
override a preset's under ``[[services]]``.
"""

from __future__ import annotations

from typing import Final

from .reader import Table, one_of, show

#: "adequacy": a Commission decision on the country (Art. 45); "dpf": the EU-US Data Privacy Framework,
#: an adequacy decision for certified US companies (Art. 45); "scc": standard contractual clauses (Art. 46(2)(c)).
SAFEGUARDS: Final = ("adequacy", "dpf", "scc")

#: The Data Privacy Framework covers certified companies in the United States and nowhere else.
DPF_COUNTRIES: Final = frozenset({"US"})

_HINT: Final = (
    '"dpf" (EU-US Data Privacy Framework), "scc" (standard contractual clauses) or "adequacy" '
    "(a Commission adequacy decision for the country)"
)


def read_safeguard(table: Table, transfer: tuple[str, ...], *, missing_is_error: bool = False) -> str | None:
    """``transfer_safeguard`` of ``table``, checked against its ``transfer`` list.

    A safeguard without a transfer, or "dpf" for a country other than the US,
    is an error. A transfer without a safeguard is a warning for a site (the
    notice then cannot say what protects the data) and an error for a preset.
    """
    safeguard: str | None = table.choice("transfer_safeguard", SAFEGUARDS, None)
    path = table.key_path("transfer_safeguard")
    if safeguard is not None and not transfer:
        table.problems.error(path, f"{show(safeguard)} is given, but there is no transfer outside the EU/EEA")
    elif safeguard == "dpf" and set(transfer) - DPF_COUNTRIES:
        others = one_of(sorted(set(transfer) - DPF_COUNTRIES))
        table.problems.error(
            path, f'"dpf" covers transfers to the US only, not to {others}; use "scc" or "adequacy" instead'
        )
    elif safeguard is None and transfer and not table.has("transfer_safeguard"):
        report = table.problems.error if missing_is_error else table.problems.warn
        report(
            path,
            f"data goes to {one_of(list(transfer))}; name the safeguard the notice shows for it: {_HINT}",
        )
    return safeguard
