"""Strict reading of parsed TOML tables, with errors that name the key path.

Every problem is collected rather than raised at once, so that a config author
sees all of them in one run. Used for the site config and for the bundled
service presets alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_MISSING: Any = object()


def show(value: object) -> str:
    """A value as the author would have written it in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def one_of(options: tuple[str, ...] | list[str]) -> str:
    return ", ".join(options)


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


class Problems:
    """Errors and warnings found while reading, each prefixed with its key path."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}" if path else message)


class Table:
    """One TOML table being read; keys not read by ``finish()`` are errors."""

    def __init__(self, data: dict[str, Any], path: str, problems: Problems) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self._read: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def _take(self, key: str) -> Any:
        self._read.add(key)
        return self.data.get(key, _MISSING)

    def _expect(self, key: str, default: Any, required: bool) -> Any:
        value = self._take(key)
        if value is _MISSING:
            if required:
                self.problems.error(self.key_path(key), "is required")
            return default
        return value

    def string(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        value = self._expect(key, _MISSING, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problems.error(self.key_path(key), f"expected a non-empty string, got {show(value)}")
            return default
        return value.strip()

    def boolean(self, key: str, default: bool) -> bool:
        value = self._expect(key, default, False)
        if not isinstance(value, bool):
            self.problems.error(self.key_path(key), f"expected true or false, got {show(value)}")
            return default
        return value

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value = self._expect(key, default, False)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.error(self.key_path(key), f"expected a whole number from {low} to {high}, got {show(value)}")
            return default
        if not low <= value <= high:
            self.problems.error(self.key_path(key), f"{value} is out of range; expected {low} to {high}")
            return default
        return value

    def choice(self, key: str, options: tuple[str, ...], default: Any = None, *, required: bool = False) -> Any:
        value = self._expect(key, _MISSING, required)
        if value is _MISSING:
            return default
        if value not in options:
            self.problems.error(
                self.key_path(key),
                f"{show(value)} is not allowed; expected one of {one_of(options)}"
                + (did_you_mean(value, options) if isinstance(value, str) else ""),
            )
            return default
        return value

    def string_list(self, key: str, default: list[str], *, required: bool = False) -> list[str]:
        value = self._expect(key, _MISSING, required)
        if value is _MISSING:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problems.error(self.key_path(key), f"expected an array of strings, got {show(value)}")
            return default
        return [item.strip() for item in value]

    def table(self, key: str, *, required: bool = False) -> Table:
        value = self._expect(key, {}, required)
        if not isinstance(value, dict):
            self.problems.error(self.key_path(key), f"expected a table, got {show(value)}")
            value = {}
        return Table(value, self.key_path(key), self.problems)

    def localized(
        self, key: str, locales: tuple[str, ...], *, required: bool = False, every: bool = False
    ) -> dict[str, str]:
        """Texts by locale under ``key`` (``purpose.nb = "..."``); a key that is not a locale is an error.

        ``every``: each of ``locales`` must be there.
        """
        texts = self.table(key, required=required)
        found = {locale: texts.string(locale, "", required=every) for locale in locales if every or texts.has(locale)}
        texts.finish(locales)
        return found

    def tables(self, key: str) -> Iterator[Table]:
        """The tables of an array of tables (``[[key]]``), each with its index in the path."""
        value = self._expect(key, [], False)
        if not isinstance(value, list):
            self.problems.error(self.key_path(key), f"expected an array of tables ([[{key}]]), got {show(value)}")
            return
        for index, item in enumerate(value):
            item_path = f"{self.key_path(key)}[{index}]"
            if not isinstance(item, dict):
                self.problems.error(item_path, f"expected a table, got {show(item)}")
                continue
            yield Table(item, item_path, self.problems)

    def checked(self, key: str, convert: Callable[[Any], T], default: T) -> T:
        """Read a value through ``convert``; a ValueError becomes an error at this key."""
        value = self._take(key)
        if value is _MISSING:
            return default
        try:
            return convert(value)
        except ValueError as exc:
            self.problems.error(self.key_path(key), str(exc))
            return default

    def rest(self) -> dict[str, Any]:
        """Keys not read yet, for tables whose keys are open (options, texts); marks them read."""
        remaining = {key: value for key, value in self.data.items() if key not in self._read}
        self._read.update(remaining)
        return remaining

    def finish(self, known: tuple[str, ...] | None = None) -> None:
        """Report every key that was not read as unknown, with a did-you-mean."""
        options = list(known) if known is not None else sorted(self._read)
        for key in self.data:
            if key not in self._read:
                hint = did_you_mean(key, options)
                allowed = f"; allowed keys: {one_of(options)}" if options and not hint else ""
                self.problems.error(self.key_path(key), f"unknown key{hint}{allowed}")
