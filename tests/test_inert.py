"""Gated HTML: nothing in it runs or fetches until its category is granted (docs/compliance.md item 1)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.render.inert import Gate, make_inert

EXECUTABLE = {"", "module", "text/javascript", "application/javascript"}
FETCHING = {
    "iframe": {"src", "srcdoc"},
    "img": {"src", "srcset"},
    "embed": {"src"},
    "link": {"href"},
    "source": {"src"},
    # In SVG: an image, and a filter's (html.parser gives names in lower case).
    "image": {"href", "xlink:href"},
    "feimage": {"href", "xlink:href"},
}


class _Audit(HTMLParser):
    """Collects every element a browser would run or fetch from."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("type", "").strip().lower() in EXECUTABLE:
            self.live.append(self.get_starttag_text() or tag)
        if set(values) & FETCHING.get(tag, set()):
            self.live.append(self.get_starttag_text() or tag)

    handle_startendtag = handle_starttag


def live_elements(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.live


def test_the_gtag_snippet_is_held_back() -> None:
    snippet = (
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-DEMO123"></script>\n'
        "<script>window.dataLayer = window.dataLayer || []; gtag('config', 'G-DEMO123');</script>"
    )
    inert = make_inert(snippet, "analytics")
    assert live_elements(inert) == []
    assert inert.count('type="text/plain"') == 2
    assert inert.count('data-consentkit-category="analytics"') == 2
    # The script text and src survive unchanged for the browser layer to activate.
    assert "gtag('config', 'G-DEMO123');" in inert
    assert 'src="https://www.googletagmanager.com/gtag/js?id=G-DEMO123"' in inert


def test_the_meta_pixel_noscript_image_does_not_fire() -> None:
    snippet = (
        "<script>fbq('init', '123');</script>"
        '<noscript><img height="1" width="1" style="display:none" '
        'src="https://www.facebook.com/tr?id=123&amp;ev=PageView&amp;noscript=1"/></noscript>'
    )
    inert = make_inert(snippet, "marketing")
    assert live_elements(inert) == []
    assert 'data-src="https://www.facebook.com/tr?id=123&amp;ev=PageView&amp;noscript=1"' in inert
    assert inert.endswith(' data-consentkit-category="marketing" /></noscript>')


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<svg><image href="https://p.test/p.gif" width="1" height="1"/></svg>',
            '<svg><image data-href="https://p.test/p.gif" width="1" height="1" data-consentkit-category="marketing" />'
            "</svg>",
            id="href",
        ),
        pytest.param(
            "<svg><image xlink:href='https://p.test/p.gif'/></svg>",
            "<svg><image data-href='https://p.test/p.gif' data-consentkit-category=\"marketing\" /></svg>",
            id="xlink-href-single-quoted-restored-as-href",
        ),
        pytest.param(
            "<SVG><IMAGE XLINK:HREF=https://p.test/p.gif /></SVG>",
            '<SVG><IMAGE data-href=https://p.test/p.gif data-consentkit-category="marketing" /></SVG>',
            id="uppercase-unquoted",
        ),
        pytest.param(
            '<svg><image xlink:href="https://p.test/old.gif" href="https://p.test/p.gif"/></svg>',
            '<svg><image data-xlink:href="https://p.test/old.gif" data-href="https://p.test/p.gif" '
            'data-consentkit-category="marketing" /></svg>',
            id="beside-href-xlink-href-is-kept-aside",
        ),
        pytest.param(
            "<svg><image href=https://p.test/p/></image></svg>",
            '<svg><image data-href=https://p.test/p/ data-consentkit-category="marketing"></image></svg>',
            id="a-slash-ending-an-unquoted-value-closes-nothing",
        ),
        pytest.param(
            '<svg><filter id="f"><feImage href="https://p.test/f.png"/></filter></svg>',
            '<svg><filter id="f"><feImage data-href="https://p.test/f.png" data-consentkit-category="marketing" />'
            "</filter></svg>",
            id="feimage",
        ),
    ],
)
def test_an_svg_image_keeps_its_url_in_data_href(html: str, expected: str) -> None:
    """Inside ``<svg>`` an ``<image>`` (and a filter's ``<feImage>``) fetches its ``href``, or the legacy
    ``xlink:href``: held back as ``data-href``, which consentkit.js restores as ``href`` (SVG 2 reads it)."""
    inert = make_inert(html, "marketing")
    assert inert == expected
    assert live_elements(inert) == []
    assert live_elements(html) != []


def test_an_svg_images_legacy_href_names_its_service() -> None:
    """Its host tells the service, as a ``src`` does: marked with it, or left live when the visitor allows it."""
    html = "<svg><image xlink:href='https://www.facebook.com/tr?id=1'/></svg>"

    def meta(host: str) -> str | None:
        return "meta-pixel" if host == "www.facebook.com" else None

    assert 'data-consentkit-service="meta-pixel"' in make_inert(html, Gate("marketing", service_at=meta))
    assert make_inert(html, Gate("marketing", service_at=meta, allowed=frozenset({"meta-pixel"}))) == html


def test_an_iframe_keeps_its_url_in_data_src() -> None:
    inert = make_inert(
        '<iframe width="560" src="https://www.youtube-nocookie.com/embed/x" allowfullscreen></iframe>', "marketing"
    )
    assert inert == (
        '<iframe width="560" data-src="https://www.youtube-nocookie.com/embed/x" allowfullscreen '
        'data-consentkit-category="marketing"></iframe>'
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<script type="module" src="/a.js"></script>',
            '<script src="/a.js" type="text/plain" data-consentkit-category="analytics" '
            'data-consentkit-type="module"></script>',
            id="module-type-kept-aside",
        ),
        pytest.param(
            '<script nonce="abc123">run()</script>',
            '<script nonce="abc123" type="text/plain" data-consentkit-category="analytics">run()</script>',
            id="nonce-kept",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "Organization"}</script>',
            '<script type="application/ld+json">{"@type": "Organization"}</script>',
            id="json-ld-untouched",
        ),
        pytest.param(
            "<SCRIPT>x()</SCRIPT>",
            '<SCRIPT type="text/plain" data-consentkit-category="analytics">x()</SCRIPT>',
            id="case",
        ),
        pytest.param("<!-- <script>x()</script> -->", "<!-- <script>x()</script> -->", id="comment"),
        pytest.param("<p class='a'>text &amp; more</p>", "<p class='a'>text &amp; more</p>", id="plain-html"),
        pytest.param(
            "<script>document.write('<iframe src=\"x\"></iframe>')</script>",
            '<script type="text/plain" data-consentkit-category="analytics">'
            "document.write('<iframe src=\"x\"></iframe>')</script>",
            id="script-body-untouched",
        ),
        pytest.param(
            "<script>never closed",
            '<script type="text/plain" data-consentkit-category="analytics">never closed',
            id="unclosed-script",
        ),
        pytest.param(
            '<link rel="stylesheet" href="https://cdn.tracker.test/x.css">',
            '<link rel="stylesheet" data-href="https://cdn.tracker.test/x.css" data-consentkit-category="analytics">',
            id="link",
        ),
        pytest.param(
            '<img alt="a > b" src="/p.gif">',
            '<img alt="a > b" data-src="/p.gif" data-consentkit-category="analytics">',
            id="quoted-angle-bracket",
        ),
    ],
)
def test_rewrites(html: str, expected: str) -> None:
    assert make_inert(html, "analytics") == expected


FRAGMENTS = st.sampled_from(
    [
        "<script>a()</script>",
        '<script src="https://t.test/x.js" async></script>',
        "<script type='text/javascript'>b()</script>",
        '<script type="module">import "x"</script>',
        "<SCRIPT>c()</SCRIPT>",
        '<iframe src="https://v.test/e"></iframe>',
        '<img src="https://p.test/p.gif" srcset="a.png 1x, b.png 2x">',
        "<img src=/unquoted.gif>",
        '<embed src="x.swf">',
        '<link rel="preload" href="https://t.test/x.js">',
        '<svg><image href="https://p.test/p.gif"/></svg>',
        "<svg><image xlink:href='https://p.test/p.gif' width=1 /></svg>",
        '<svg><filter><feImage href="https://p.test/f.png"/></filter></svg>',
        "<noscript>",
        "</noscript>",
        "<div>",
        "</div>",
        "<!-- c -->",
        "text",
        " ",
        "&amp;",
        "<p data-x='1'>",
        "<style>p{}</style>",
    ]
)


@settings(max_examples=300)
@given(st.lists(FRAGMENTS, max_size=12))
def test_nothing_live_survives(fragments: list[str]) -> None:
    html = "".join(fragments)
    assert live_elements(make_inert(html, "marketing")) == []


@given(st.lists(FRAGMENTS, max_size=12))
def test_rewriting_twice_changes_nothing_more(fragments: list[str]) -> None:
    once = make_inert("".join(fragments), "marketing")
    assert make_inert(once, "marketing") == once
