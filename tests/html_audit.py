"""A tiny HTML inspector for tests: every element with its attributes and the text inside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "img", "br", "meta", "link", "hr", "source", "embed"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    parents: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parents=[parent.tag for parent in self._open])
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs), parents=[parent.tag for parent in self._open]))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def elements(html: str, tag: str | None = None, **attrs: str) -> list[Element]:
    """Elements of ``tag`` whose attributes include ``attrs`` (use ``class_`` for class)."""
    collector = _Collector()
    collector.feed(html)
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [
        element
        for element in collector.elements
        if (tag is None or element.tag == tag)
        and all(element.attrs.get(name) == value for name, value in wanted.items())
    ]


def text_of(html: str) -> str:
    return " ".join(" ".join(element.text.split()) for element in elements(html)[:1])
