"""Make the HTML of a gated block inert until its category is granted.

Executable ``<script>`` elements get ``type="text/plain"`` (browsers neither run
nor fetch those), and every element that would fetch something (iframe, img,
embed, object, link, media, SVG's image and feImage) has its URL attribute
renamed with a ``data-`` prefix (SVG's legacy ``xlink:href`` becomes
``data-href``). Each changed element carries ``data-consentkit-category`` so
that the browser layer can switch it on without a reload, and
``data-consentkit-service`` when a service is known for it: the block's own
(``{% consent "youtube" %}``), or the service whose host the element loads
from. An element of a service the visitor already allows is left live.

This is a tokenizer, not a sanitizer: the input is the site's own template
output, and the job is to catch every fetch, including inside ``<noscript>``
(the Meta Pixel's fallback ``<img>`` would fire with JavaScript off).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape as html_unescape
from typing import Final
from urllib.parse import urlsplit

from markupsafe import escape

_TOKEN: Final = re.compile(
    r"""
    (?P<comment><!--.*?-->)
  | <(?P<raw>script|style|textarea|title)\b(?P<rawattrs>(?:[^>"']|"[^"]*"|'[^']*')*)>
      (?P<body>.*?)</(?P=raw)\s*>
  | <(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)\b(?P<attrs>(?:[^>"']|"[^"]*"|'[^']*')*)>
    """,
    re.S | re.I | re.X,
)

#: An attribute as an HTML5 tokenizer reads it: a name may start with ``=`` or a quote, an
#: unquoted value runs to whitespace or ``>`` (``src=https://x/?a=b`` keeps its ``=``). Whitespace
#: is HTML's five characters only: text decoded as Latin-1 may hold a 0xA0 byte inside a UTF-8 letter.
_ATTRIBUTE: Final = re.compile(
    r"""(?P<name>[^\t\n\f\r />][^\t\n\f\r />=]*)"""
    r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?P<value>"[^"]*"|'[^']*'|[^\t\n\f\r "'>][^\t\n\f\r >]*))?""",
)

#: Script types a browser runs; anything else (JSON-LD, templates) is data and stays.
EXECUTABLE_TYPES: Final = frozenset(
    {
        "",
        "module",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/x-javascript",
        "text/jscript",
    }
)

#: Attributes that make an element fetch something, by tag name in lower case (as the tokenizer gives it: SVG's
#: ``feImage`` is ``feimage``).
FETCHING: Final[dict[str, tuple[str, ...]]] = {
    "iframe": ("src", "srcdoc"),
    "frame": ("src",),
    "img": ("src", "srcset"),
    # Outside SVG the parser reads <image> as <img>; inside it, an SVG image fetches its href (or the legacy one).
    "image": ("src", "srcset", "href", "xlink:href"),
    "feimage": ("href", "xlink:href"),  # an SVG filter's image
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "link": ("href", "imagesrcset"),
    "input": ("src",),
}

CATEGORY_ATTRIBUTE: Final = "data-consentkit-category"
SERVICE_ATTRIBUTE: Final = "data-consentkit-service"


def _no_service(host: str) -> str | None:
    return None


@dataclass(frozen=True)
class Gate:
    """What a gated block is held back under, and how to tell the service of each element."""

    category: str
    #: The block's own service, when the template named one.
    service: str | None = None
    #: The service an element's host belongs to (``Config.service_at``); None when not known.
    service_at: Callable[[str], str | None] = _no_service
    #: Services the visitor allows already: their elements stay live.
    allowed: frozenset[str] = frozenset()

    def service_of(self, attributes: list[Attribute]) -> str | None:
        if self.service is not None or self.service_at is _no_service:  # nothing to look up the host in
            return self.service
        url = next((value for name, value, _ in attributes if name in _URL_ATTRIBUTES and value), None)
        host = url_hostname(html_unescape(url)) if url else None
        return self.service_at(host) if host else None

    def marks(self, attributes: list[Attribute]) -> list[Attribute] | None:
        """The attributes to add to a held-back element, or None when it may stay live."""
        service = self.service_of(attributes)
        if service in self.allowed:
            return None
        marks = [_attr(CATEGORY_ATTRIBUTE, self.category)]
        return [*marks, _attr(SERVICE_ATTRIBUTE, service)] if service else marks


#: (lower-case name, unquoted value or None, the attribute as written)
Attribute = tuple[str, str | None, str]

_URL_ATTRIBUTES: Final = frozenset({"src", "href", "xlink:href", "data"})


def parse_attributes(text: str) -> list[Attribute]:
    """Each attribute as (lower-case name, unquoted value or None, raw text)."""
    found: list[Attribute] = []
    for match in _ATTRIBUTE.finditer(text):
        value = match.group("value")
        if value is not None and value[:1] in "\"'":
            value = value[1:-1]
        found.append((match.group("name").lower(), value, match.group(0)))
    return found


def is_self_closing(attrs: str) -> bool:
    """Whether a start tag whose text between its name and ``>`` is ``attrs`` ends with ``/>`` as HTML5 reads it:
    the ``/`` right before the ``>``, not the end of an unquoted value (``<svg class=a/>`` and ``<svg / >`` are open,
    which in SVG decides what the markup after them is)."""
    if not attrs.endswith("/"):
        return False
    ends = [attribute.end() for attribute in _ATTRIBUTE.finditer(attrs)]
    return not ends or ends[-1] < len(attrs)


def _build_tag(tag: str, attributes: list[Attribute], self_closing: bool) -> str:
    parts = [f"<{tag}"]
    for _, _, raw in attributes:
        parts.append(f" {raw}")
    return "".join(parts) + (" />" if self_closing else ">")


def _attr(name: str, value: str) -> Attribute:
    return (name, value, f'{name}="{escape(value)}"')


def _renamed(attribute: Attribute, prefix: str) -> Attribute:
    """The attribute under a prefixed name, its value exactly as written."""
    name, value, raw = attribute
    return (prefix + name, value, prefix + raw)


def _held_back(attribute: Attribute, has_href: bool) -> Attribute:
    """A fetching attribute as ``data-`` + its name, for consentkit.js to restore.

    SVG's legacy ``xlink:href`` becomes ``data-href``: consentkit.js restores that as ``href``, which SVG 2 and every
    current browser read as they read ``xlink:href`` (and restoring it as written would cost the script bytes it
    does not have). Beside an ``href``, which browsers use instead, it is kept aside as ``data-xlink:href``.
    """
    name, value, raw = attribute
    if name == "xlink:href" and not has_href:
        return ("data-href", value, "data-href" + raw[len(name) :])  # its name as written is as long
    return _renamed(attribute, "data-")


def inert_script_tag(tag: str, attrs: str, gate: Gate | str) -> str:
    gate = Gate(gate) if isinstance(gate, str) else gate
    attributes = parse_attributes(attrs)
    names = {name for name, _, _ in attributes}
    if CATEGORY_ATTRIBUTE in names:
        return f"<{tag}{attrs}>"
    type_attribute = next((attribute for attribute in attributes if attribute[0] == "type"), None)
    script_type = (type_attribute[1] or "") if type_attribute else ""
    if script_type.strip().lower() not in EXECUTABLE_TYPES:
        return f"<{tag}{attrs}>"
    marks = gate.marks(attributes)
    if marks is None:
        return f"<{tag}{attrs}>"
    kept = [attribute for attribute in attributes if attribute[0] != "type"]
    kept.append(_attr("type", "text/plain"))
    kept += marks
    if type_attribute and script_type.strip():
        # Kept as written (already escaped), for the browser layer to restore.
        kept.append(_renamed(type_attribute, "data-consentkit-"))
    return _build_tag(tag, kept, self_closing=False)


def inert_fetching_tag(tag: str, attrs: str, gate: Gate | str) -> str:
    gate = Gate(gate) if isinstance(gate, str) else gate
    fetching = FETCHING.get(tag.lower())
    attributes = parse_attributes(attrs)
    if fetching is None or not any(name in fetching for name, _, _ in attributes):
        return f"<{tag}{attrs}>"
    marks = gate.marks(attributes)
    if marks is None or any(name == CATEGORY_ATTRIBUTE for name, _, _ in attributes):
        return f"<{tag}{attrs}>"
    has_href = any(name == "href" for name, _, _ in attributes)
    rewritten = [_held_back(attribute, has_href) if attribute[0] in fetching else attribute for attribute in attributes]
    rewritten += marks
    return _build_tag(tag, rewritten, self_closing=is_self_closing(attrs))


def url_hostname(url: str) -> str | None:
    """The URL's host, lower-cased; None when it has none or is no URL a browser could load
    (``https://x]y/``: ``urlsplit`` raises on a stray bracket, and a page's markup must never make a 500)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


_BLOCKED_FRAME: Final = re.compile(r"<iframe\b[^>]*?\sdata-src=(?:\"([^\"]*)\"|'([^']*)')", re.I)


def blocked_frame_hosts(inert_html: str) -> list[str]:
    """The host of each iframe ``make_inert`` held back, in order, for its placeholder."""
    hosts = []
    for match in _BLOCKED_FRAME.finditer(inert_html):
        url = html_unescape(match.group(1) or match.group(2) or "")
        hosts.append(url_hostname(url) or url)
    return hosts


def make_inert(html: str, gate: Gate | str) -> str:
    """``html`` with every script and fetch of it held back under ``gate`` (or just a category)."""
    if isinstance(gate, str):
        gate = Gate(gate)

    def replace(match: re.Match[str]) -> str:
        if match.group("comment"):
            return match.group(0)
        raw = match.group("raw")
        if raw is not None:
            if raw.lower() != "script":
                return match.group(0)
            start = inert_script_tag(raw, match.group("rawattrs"), gate)
            return start + match.group("body") + match.group(0)[match.end("body") - match.start(0) :]
        if match.group("tag").lower() == "script":  # unclosed: still must not run
            return inert_script_tag(match.group("tag"), match.group("attrs"), gate)
        return inert_fetching_tag(match.group("tag"), match.group("attrs"), gate)

    return _TOKEN.sub(replace, html)
