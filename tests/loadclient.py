"""A bounded local client for the log's fault tests and ``benchmarks/load.py``.

A fixed number of threads, each sending one request at a time over a fresh
connection: page views (``GET /``) and decisions (``POST /consentkit/consent``
as JSON, from a new visitor each, so every answered decision has its own
consent id to look for in the log).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field

CHOICES = ("accept_all", "reject_all", "custom")


@dataclass(frozen=True)
class Outcome:
    decision: bool
    started: float
    seconds: float
    #: The consent id of an answered decision.
    consent_id: str | None = None
    error: str | None = None


@dataclass
class Load:
    """Traffic to ``ports`` on 127.0.0.1 from ``clients`` threads until ``stop()``."""

    ports: list[int]
    decision_share: float = 1.0
    clients: int = 4
    outcomes: list[Outcome] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        for number in range(self.clients):
            thread = threading.Thread(target=self._run, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Outcome]:
        self._stopping.set()
        for thread in self._threads:
            thread.join(30)
        return self.outcomes

    def _run(self, number: int) -> None:
        chance = random.Random(number)
        while not self._stopping.is_set():
            port = self.ports[chance.randrange(len(self.ports))]
            decision = chance.random() < self.decision_share
            self.outcomes.append(_decide(port, chance) if decision else _view(port))

    def answered(self) -> set[str]:
        return {outcome.consent_id for outcome in self.outcomes if outcome.consent_id}

    def errors(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.error]


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _decide(port: int, chance: random.Random) -> Outcome:
    choice = chance.choice(CHOICES)
    body = json.dumps({"choice": choice, "categories": ["analytics"] if choice == "custom" else []}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Origin": f"http://127.0.0.1:{port}"}
    started = time.monotonic()
    try:
        status, answer = _request(port, "POST", "/consentkit/consent", body, headers)
        consent_id = json.loads(answer)["consent_id"] if status == 200 else None
    except (OSError, ValueError, KeyError, http.client.HTTPException) as error:
        return Outcome(True, started, time.monotonic() - started, error=repr(error))
    seconds = time.monotonic() - started
    return Outcome(True, started, seconds, consent_id, None if consent_id else f"status {status}")


def _view(port: int) -> Outcome:
    started = time.monotonic()
    try:
        status, _ = _request(port, "GET", "/", None, {"Accept": "text/html", "Accept-Language": "nb"})
    except (OSError, http.client.HTTPException) as error:
        return Outcome(False, started, time.monotonic() - started, error=repr(error))
    return Outcome(False, started, time.monotonic() - started, error=None if status == 200 else f"status {status}")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
