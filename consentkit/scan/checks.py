"""An audit's checks: each a docs/compliance.md item, passed or failed, with the evidence the browser saw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    key: str
    title: str
    items: tuple[int, ...]
    evidence: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def cites(self) -> str:
        numbers = ", ".join(str(item) for item in self.items)
        return f"docs/compliance.md item{'s' if len(self.items) > 1 else ''} {numbers}"

    def fail(self, problem: str) -> None:
        self.problems.append(problem)
        self.evidence.append(f"FAIL: {problem}")


@dataclass
class AuditResult:
    url: str
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)
