"""Widget HTML rendered once, then filled in with each request's own values.

The banner two visitors see differs only by what their requests bring (the
endpoint base and the page to come back to) when they share a locale and a
consent state. So a widget is rendered once per key (template, locale,
consent state, ...) with a marker in place of each request value, the output
is split around the markers, and each request joins the parts with its own
values, escaped as the template escapes them (``markupsafe.escape`` is applied
character by character, so escaping the whole equals escaping each piece).

Rules for a slot: the template only prints it (``{{ next_path }}``), never
tests or filters it. A slot that comes out changed (a filter touched its
marker) leaves a NUL in the parts: the widget is then rendered in full on
every call instead. Nothing a request brings is ever kept: the key names
what the output depends on, and the values of the slots are joined in after
the cache. The cache is per ``Renderer``, so per config, and bounded.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from operator import itemgetter
from typing import Final, Generic, TypeVar

from markupsafe import Markup, escape

#: Distinct keys kept before the cache starts over (locales x consent states x widgets stays far below).
LIMIT: Final = 1024
#: Fills of one fragment kept before they start over (``Fragment.fill_escaped``): a site's busiest pages.
FILLS_KEPT: Final = 64

# Random per process, so no config text or translation can contain a marker by accident or design.
_TOKEN: Final = secrets.token_hex(8)
_MARKER: Final = re.compile(f"\x00{_TOKEN}:([a-z_]+)\x00")

Render = Callable[[Mapping[str, object]], str]

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """Values made once per key, at most ``limit`` of them: when full it starts over, which keeps
    memory bounded whatever keys visitors cause, at the price of remaking the common ones.

    ``get`` finds or makes; a hot path that runs on every page may look in ``found`` itself
    (a plain dictionary) and call ``get`` only when the key is missing.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self.found: dict[Hashable, Value] = {}

    def __len__(self) -> int:
        return len(self.found)

    def get(self, key: Hashable, make: Callable[[], Value]) -> Value:
        try:
            return self.found[key]
        except KeyError:
            value = make()
            if len(self.found) >= self._limit:
                self.found.clear()
            self.found[key] = value
            return value


class Html(Markup):
    """HTML kept between requests and handed to templates: a ``Markup`` whose ``__html__`` is ``str``'s
    own, made in C (a plain ``str`` of the same text, as the protocol allows).

    A template engine outputs a ``Markup`` through ``markupsafe.escape``, which calls ``__html__``
    and makes a ``Markup`` of the answer, whose constructor asks ``__html__`` again: with
    ``Markup``'s own (a Python method) that is three Python calls per widget on every page, one
    with this. Everything else is ``Markup``'s: ``+``, ``join`` and ``format`` escape as it does.
    """

    __slots__ = ()

    __html__ = str.__str__  # type: ignore[assignment]


def marker(name: str) -> str:
    return f"\x00{_TOKEN}:{name}\x00"


class Fragment:
    """A widget's output as static parts and the names of the slots between them."""

    __slots__ = ("_filled", "_values_of", "names", "parts")

    def __init__(self, parts: tuple[str, ...], names: tuple[str, ...]) -> None:
        self.parts = parts
        self.names = names
        # Every slot's value in one call in C (a widget prints its base many times): with the slice
        # assignments in ``fill_escaped`` a fill runs no Python loop, and joins rather than parses the parts.
        self._values_of = _getter(names)
        #: The widget filled in, by the values that filled it: a page's visitors bring the same base and path,
        #: so most fills are a look-up (bounded, like every cache here: visitors choose paths).
        self._filled: dict[tuple[str, ...], Markup] = {(): Html(parts[0])} if not names else {}

    @classmethod
    def of(cls, render: Render, slots: tuple[str, ...]) -> Fragment | None:
        """``render`` with markers for ``slots``, split; None when a marker did not come out whole."""
        pieces = _MARKER.split(render({name: marker(name) for name in slots}))
        parts, names = tuple(pieces[0::2]), tuple(pieces[1::2])
        if any("\x00" in part for part in parts):
            return None
        return cls(parts, names)

    def fill(self, values: Mapping[str, object]) -> Markup:
        # Each value escaped once, however often the widget prints it (the banner's base: three times).
        return self.fill_escaped({name: escaped(value) for name, value in values.items()})

    def fill_escaped(self, ready: Mapping[str, str]) -> Markup:
        """The parts joined with ``ready``'s values, which the caller escaped (once per request)."""
        values = self._values_of(ready)
        filled = self._filled.get(values)
        if filled is None:
            out: list[str] = [""] * (2 * len(self.parts) - 1)
            out[0::2] = self.parts
            out[1::2] = values
            filled = Html("".join(out))
            if len(self._filled) >= FILLS_KEPT:
                self._filled.clear()
            self._filled[values] = filled
        return filled


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, str]], tuple[str, ...]]:
    """The values of ``names``, in order, from a mapping (``itemgetter`` gives a bare value for one name)."""
    if len(names) == 1:
        name = names[0]
        return lambda ready: (ready[name],)
    if not names:
        return lambda ready: ()
    return itemgetter(*names)


def escaped(value: object) -> str:
    """``str(markupsafe.escape(value))``, byte for byte, without making a ``Markup`` of every value.

    A plain string's answer is kept: the values are a page's base and path, the same for all its visitors
    (short ones only: a visitor may send a path of kilobytes, which would fill the memory the cache bounds).
    """
    if type(value) is str and len(value) <= _LONGEST_KEPT_TEXT:
        known = _escaped_texts.get(value)
        if known is None:
            known = _escaped_text(value)
            if len(_escaped_texts) >= LIMIT:
                _escaped_texts.clear()  # visitors choose paths: bounded
            _escaped_texts[value] = known
        return known
    if hasattr(value, "__html__"):
        return str(escape(value))
    return _escaped_text(str(value))


#: ``escaped`` of the plain strings met so far, each at most ``_LONGEST_KEPT_TEXT`` characters.
_escaped_texts: dict[str, str] = {}
_LONGEST_KEPT_TEXT: Final = 512


def _escaped_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
        return (
            text.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return text


class FragmentCache:
    """Fragments by key; see the module's docstring for what a key must hold."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._fragments: Kept[Fragment | None] = Kept(limit)

    def __len__(self) -> int:
        return len(self._fragments)

    def render(
        self, key: Hashable, render: Render, values: Mapping[str, object], ready: Mapping[str, str] | None = None
    ) -> Markup:
        """The widget of ``key`` with ``values`` in its slots; ``render(values)`` makes it the first time.
        ``ready``, when given, holds the same values already escaped (``escaped``), with any others beside."""
        fragment = self._fragments.get(key, lambda: Fragment.of(render, tuple(values)))
        if fragment is None:
            return Markup(render(values))  # noqa: S704 (the template's own autoescaped output)
        return fragment.fill(values) if ready is None else fragment.fill_escaped(ready)
