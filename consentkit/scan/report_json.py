"""The scan as JSON: the schema in the README is the contract scripts and tests rely on."""

from __future__ import annotations

import json

from .findings import ScanResult


def render_json(result: ScanResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
