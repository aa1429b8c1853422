"""A one-line progress bar on a terminal (pages done / planned, current URL); silent elsewhere."""

from __future__ import annotations

import shutil
from typing import TextIO

_BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.enabled = stream is not None and stream.isatty()
        self._shown = False

    def update(self, label: str, done: int, planned: int, url: str) -> None:
        if not self.enabled or self.stream is None:
            return
        planned = max(planned, done, 1)
        filled = round(_BAR_WIDTH * done / planned)
        line = f"{label} [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{planned} {url}"
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r" + line[:width].ljust(width))
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown and self.stream is not None:
            self.stream.write("\r" + " " * (shutil.get_terminal_size((100, 20)).columns - 1) + "\r")
            self.stream.flush()
            self._shown = False
