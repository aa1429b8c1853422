"""``[gate]``: what the middleware does to HTML responses (the auto-gate).

```toml
[gate]
html = "auto"                # "report" only logs what it would hold back; "off"
unknown_scripts = "report"   # or "block": third-party scripts from unknown hosts wait for marketing
hosts.analytics = ["stats.example.net"]   # more tracker hosts, by category ("*.x.com" for subdomains)
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from ..categories import OPTIONAL_CATEGORIES
from .reader import Table, show

HTML_MODES: Final = ("auto", "report", "off")
UNKNOWN_SCRIPT_MODES: Final = ("report", "block")
_HOST: Final = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class GateSettings:
    #: "auto" rewrites text/html responses, "report" logs what it would change, "off" leaves them.
    html: str = "auto"
    #: "report" logs a third-party script from a host no service knows; "block" holds it back as marketing.
    unknown_scripts: str = "report"
    #: Extra tracker hosts by category, on top of the services' own.
    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def read_gate(table: Table) -> GateSettings:
    hosts_table = table.table("hosts")
    hosts: dict[str, tuple[str, ...]] = {}
    for category in OPTIONAL_CATEGORIES:
        names = hosts_table.string_list(category, [])
        for name in names:
            if not _HOST.match(name.lower()):
                table.problems.error(
                    hosts_table.key_path(category),
                    f'{show(name)} is not a host name such as "stats.example.net" or "*.example.net"',
                )
        if names:
            hosts[category] = tuple(name.lower() for name in names)
    hosts_table.finish(OPTIONAL_CATEGORIES)
    settings = GateSettings(
        html=table.choice("html", HTML_MODES, "auto"),
        unknown_scripts=table.choice("unknown_scripts", UNKNOWN_SCRIPT_MODES, "report"),
        hosts=hosts,
    )
    table.finish(("html", "unknown_scripts", "hosts"))
    return settings
