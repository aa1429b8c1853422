"""``{% consent %}`` keeps a page's structure wherever it stands (issue 8, item 11).

README's ``<head>`` example used to render its ``{% else %}`` part as a
``<div>`` inside ``<head>``: a browser ends the head at the ``<div>`` and moves
it, and every tag after it, into the body. These tests parse whole rendered
pages with html5lib, which builds the tree as a browser does, and compare it
to the tree the template means.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
from jinja2 import Environment
from werkzeug.test import Client

from consentkit import ConsentExtension, ConsentMiddleware, widgets_for

from .conftest import SECRET, ListStore, config_from

README = Path(__file__).resolve().parent.parent / "README.md"
Tree = tuple[str, tuple[Any, ...]]


def readme_template() -> str:
    """The base template README gives, exactly as a new user copies it."""
    (block,) = re.findall(r"```jinja\n(<head>.*?</body>\n)```", README.read_text(encoding="utf-8"), re.S)
    return '<!doctype html>\n<html lang="nb">\n' + block.replace("  ...\n", "") + "</html>\n"


def page_for(template: str, cookie: str | None = None) -> str:
    """``template`` rendered by a WSGI app behind the middleware, for a visitor with ``cookie``."""
    page = Environment(extensions=[ConsentExtension], autoescape=True).from_string(template)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.render(consentkit=widgets_for(environ)).encode("utf-8")]

    client = Client(ConsentMiddleware(app, config_from(), SECRET, store=ListStore()))
    if cookie:
        client.post("/consentkit/consent", data={"choice": "custom", "category": cookie})
    return client.get("/", headers={"Accept-Language": "nb"}).text


def tree(html: str, *, depth: int = 2) -> Tree:
    """Element names (with their id: ``div#consentkit-banner``), ``depth`` levels below <html>, as a browser's
    parser builds them."""
    root = html5lib.parse(html, namespaceHTMLElements=False)

    def shape(element: Element, level: int) -> Tree:
        children = tuple(shape(child, level + 1) for child in element if isinstance(child.tag, str))
        name = f"{element.tag}#{element.get('id')}" if element.get("id") else element.tag
        return (name, children if level < depth else ())

    return shape(root, 0)


def children_of(html: str, part: str) -> tuple[str, ...]:
    (found,) = [child for child in tree(html)[1] if child[0] == part]
    return tuple(name for name, _ in found[1])


#: README's <head>: consentkit's stylesheet, settings and script, the services' and Consent Mode's scripts
#: (the example config enables Google services), then the gated Google tag.
README_HEAD = ("link", "script#consentkit-config", "script", "script", "script", "script")


@pytest.mark.parametrize(
    ("cookie", "body"),
    [
        # The floating settings link stands in its own landmark, an <aside>.
        pytest.param(None, ("div#consentkit-banner", "aside", "dialog#consentkit-dialog", "footer"), id="undecided"),
        pytest.param("analytics", ("aside", "dialog#consentkit-dialog", "footer"), id="analytics-granted"),
    ],
)
def test_readme_head_example_keeps_every_tag_where_it_was_written(cookie: str | None, body: tuple[str, ...]) -> None:
    html = page_for(readme_template(), cookie)
    assert children_of(html, "head") == README_HEAD
    assert children_of(html, "body") == body
    assert "gtag/js" in html


def test_a_fallback_in_the_head_stays_in_the_head() -> None:
    template = (
        '<!doctype html><html lang="nb"><head><title>x</title>{{ consentkit.head() }}'
        '{% consent "analytics" %}<script src="https://t.test/a.js"></script>'
        '{% else %}<meta name="analytics" content="off">{% endconsent %}'
        "<style>p{}</style></head><body><p>x</p></body></html>"
    )
    html = page_for(template)
    assert children_of(html, "head") == ("title", *README_HEAD[:-1], "script", "meta", "style")
    assert "<!--consentkit-fallback analytics-->" in html


def test_a_fallback_in_the_body_is_shown_where_it_stands_and_marked_for_removal() -> None:
    template = (
        '<!doctype html><html lang="nb"><head><title>x</title></head><body><main><p>'
        '{% consent "marketing" %}<img src="https://t.test/p.gif" alt="">'
        "{% else %}<em>Markedsføring er av.</em>{% endconsent %}"
        "</p></main></body></html>"
    )
    html = page_for(template)
    assert tree(html, depth=4) == (
        "html",
        (
            ("head", (("title", ()),)),
            ("body", (("main", (("p", (("img", ()), ("em", ()))),)),)),
        ),
    )
    assert "<!--consentkit-fallback marketing--><em>Markedsføring er av.</em><!--/consentkit-fallback-->" in html


def test_an_else_part_of_only_whitespace_adds_nothing() -> None:
    html = page_for('{% consent "analytics" %}<b>x</b>{% else %}\n  {# nothing #}\n{% endconsent %}')
    assert "consentkit-fallback" not in html
