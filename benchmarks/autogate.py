"""Throughput of the auto-gate's rewriter, in MB/s, beside a stdlib ``html.parser`` rewriter.

The page is a realistic 200 KB article page (head with styles and preloads,
navigation, paragraphs with links and responsive images, 32 scripts of which
eight are vendor snippets, 6 iframes, a Meta noscript pixel), fed in 8 KB
chunks as bytes, the way the middleware sees it, to a visitor who granted
nothing. Its tracker tags are decided once and remembered (``memo.py``), as a
site's base template repeats them on every page; the "first sight" row empties
every memo before each round, as for the first page after a start. The other
page is the same without its tracker tags (pass-through: the pre-filter finds
no mark, so nothing is parsed beyond the fetching tags' ends). A visitor who
granted every offered category costs nothing at all: the body is not wrapped.

The clock times the rewriter alone, as a server uses it: the page is cut into
its chunks before the clock starts (an app hands a server its body in pieces),
and the pieces that come out are kept as they are, not joined (a server writes
each one as it comes); they are joined afterwards to check the output. Every
row gets the same chunks.

Run: ``.venv/bin/python benchmarks/autogate.py`` (``--peers`` adds python-lolhtml
0.1.0 and selectolax 1.0.2 when importable; they are not project dependencies,
install them in a throwaway venv: ``python3 -m venv /tmp/peers &&
/tmp/peers/bin/pip install python-lolhtml==0.1.0 selectolax==1.0.2 -e .`` and
run the script with ``/tmp/peers/bin/python``). Prints best and median of the rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from consentkit.config.load import parse_config
from consentkit.gate.autogate import BodyRewriter, HtmlRewriter, Policy, TrackerIndex
from consentkit.gate.autogate.hosts import url_host
from consentkit.gate.autogate.memo import forget

ROOT = Path(__file__).parent.parent
CHUNK = 8 * 1024
ROUNDS = 40
DENIED = frozenset({"functional", "analytics", "marketing"})
WORDS = [
    "faktura",
    "inkasso",
    "betaling",
    "forfall",
    "purring",
    "saksnummer",
    "kreditor",
    "beløp",
    "renter",
    "gebyr",
    "avtale",
    "nedbetaling",
    "kundeservice",
    "personvern",
    "informasjonskapsler",
    "samtykke",
    "oversikt",
    "dokument",
    "kontakt",
    "frist",
]

VENDOR_SNIPPETS = [
    (ROOT / "tests" / "autogate_corpus" / f"vendor-{name}.html").read_text(encoding="utf-8")
    for name in ("ga4-gtag", "gtm", "meta-pixel", "linkedin-insight", "hotjar", "clarity", "tiktok-pixel", "hubspot")
]
IFRAMES = [
    '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Video" allowfullscreen>'
    "</iframe>",
    '<iframe src="https://player.vimeo.com/video/76979871" width="640" height="360" allow="fullscreen"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Video 2"></iframe>',
    '<iframe src="/kart/oslo" title="Kart" loading="lazy"></iframe>',
    '<iframe src="/skjema/kontakt" title="Skjema"></iframe>',
]
NOSCRIPT_PIXEL = (
    '<noscript><img height="1" width="1" style="display:none" '
    'src="https://www.facebook.com/tr?id=1234567890123&amp;ev=PageView&amp;noscript=1"/></noscript>'
)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def realistic_page(*, trackers: bool, size: int = 200_000) -> bytes:
    """The benchmark page; ``trackers=False`` leaves out every tracker tag and iframe."""
    rng = random.Random(7)
    head = [
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Saken din · Eksempel</title>',
        *(f'<link rel="stylesheet" href="/static/css/site-{n}.css?v=4">' for n in range(4)),
        '<link rel="preload" as="font" href="/static/fonts/inter.woff2" crossorigin>',
        "<style>" + "".join(f".c{n}{{margin:{n}px;color:#{n:03x}}}" for n in range(300)) + "</style>",
    ]
    scripts = [f'<script src="/static/js/module-{n}.js" defer></script>' for n in range(16)]
    scripts += [f'<script>window.site = window.site || {{}}; site.page{n} = {{"id": {n}}};</script>' for n in range(6)]
    if trackers:
        scripts += VENDOR_SNIPPETS
    head += scripts[:12]
    body = ['</head><body><header class="top"><nav>']
    body += [f'<a class="nav-link" href="/side/{n}">{rng.choice(WORDS)}</a>' for n in range(40)]
    body.append("</nav></header><main><article>")
    tail = scripts[12:] + ([*IFRAMES, NOSCRIPT_PIXEL] if trackers else IFRAMES[3:])
    filler: list[str] = []
    while sum(map(len, body)) + sum(map(len, filler)) + sum(map(len, head)) + sum(map(len, tail)) < size - 500:
        kind = rng.random()
        if kind < 0.55:
            link = f' <a href="/artikkel/{rng.randint(1, 999)}">{rng.choice(WORDS)}</a> '
            filler.append(f"<p>{_sentence(rng, 18)}{link}{_sentence(rng, 14)}</p>\n")
        elif kind < 0.7:
            n = rng.randint(1, 999)
            filler.append(
                f'<figure><img src="/img/{n}.jpg" srcset="/img/{n}-2x.jpg 2x" alt="{rng.choice(WORDS)}" '
                f'loading="lazy" width="640" height="360"><figcaption>{_sentence(rng, 6)}</figcaption></figure>\n'
            )
        elif kind < 0.85:
            filler.append(f'<h2 id="h{len(filler)}">{_sentence(rng, 4)}</h2>\n')
        else:
            items = "".join(f"<li><span>{_sentence(rng, 5)}</span></li>" for _ in range(4))
            filler.append(f'<ul class="list">{items}</ul>\n')
    # Spread the scripts and iframes through the article, as a CMS does.
    step = max(1, len(filler) // (len(tail) + 1))
    for index, tag in enumerate(tail):
        filler.insert((index + 1) * step + index, tag + "\n")
    body += filler
    body.append("</article></main><footer><p>Eksempel Inkasso AS</p></footer></body></html>")
    return "".join(head + body).encode()


def _config() -> Any:
    text = (ROOT / "examples" / "flask_site" / "consentkit.toml").read_text(encoding="utf-8")
    return parse_config(tomllib.loads(text))


#: A rewriter under test: the page's chunks in, the pieces it sends out.
Rewrite = Callable[[list[bytes]], list[bytes]]


def chunks_of(page: bytes) -> list[bytes]:
    return [page[start : start + CHUNK] for start in range(0, len(page), CHUNK)]


def consentkit_rewrite(index: TrackerIndex, *, first_sight: bool = False) -> Rewrite:
    """``first_sight``: every memo emptied before each page, as if no page had held these tags before."""

    def run(chunks: list[bytes]) -> list[bytes]:
        if first_sight:
            forget()
        body = BodyRewriter(HtmlRewriter(Policy(index, DENIED, "www.eksempel.no")), charset="utf-8")
        out = [body.feed(chunk) for chunk in chunks]
        out.append(body.finish())
        return out

    return run


class _StdlibRewriter(HTMLParser):
    """What one would write with the standard library: re-emit every token, rename tracker URLs."""

    def __init__(self, index: TrackerIndex) -> None:
        super().__init__(convert_charrefs=False)
        self.index = index
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or ""
        for name, value in attrs:
            host = url_host(value) if value and name in ("src", "href") else None
            if host and self.index.host_categories(host):
                text = text.replace(f"{name}=", f"data-{name}=", 1)
                break
        self.out.append(text)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def stdlib_rewrite(index: TrackerIndex) -> Rewrite:
    def run(chunks: list[bytes]) -> list[bytes]:
        parser = _StdlibRewriter(index)
        for chunk in chunks:
            parser.feed(chunk.decode("latin-1"))
        parser.close()
        return [piece.encode("latin-1") for piece in parser.out]

    return run


def lolhtml_rewrite(index: TrackerIndex) -> Rewrite | None:
    try:
        import lolhtml  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None

    class Handler:
        def element(self, element: Any) -> None:
            for name in ("src", "href"):
                value = element.get_attribute(name)
                host = url_host(value) if value else None
                if host and index.host_categories(host):
                    element.remove_attribute(name)
                    element.set_attribute("data-" + name, value)
                    element.set_attribute("type", "text/plain")

    def run(chunks: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        rewriter = lolhtml.HTMLRewriter(out.append)
        rewriter.on("script, iframe, img, link, embed, object, source, video, audio", Handler())
        for chunk in chunks:
            rewriter.write(chunk)
        rewriter.end()
        return out

    return run


def selectolax_rewrite(index: TrackerIndex) -> Rewrite | None:
    try:
        from selectolax.lexbor import LexborHTMLParser  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None

    def run(chunks: list[bytes]) -> list[bytes]:  # no streaming API: the whole page at once
        tree = LexborHTMLParser(b"".join(chunks).decode("utf-8"))
        for node in tree.css("script, iframe, img, link, embed, object, source, video, audio"):
            for name in ("src", "href"):
                value = node.attributes.get(name)
                host = url_host(value) if value else None
                if host and index.host_categories(host):
                    node.attrs["data-" + name] = value
                    del node.attrs[name]
        return [(tree.html or "").encode()]

    return run


def measure(run: Rewrite, page: bytes, rounds: int) -> tuple[float, float]:
    """Best and median MB/s."""
    chunks = chunks_of(page)
    run(chunks)
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        run(chunks)
        rates.append(len(page) / (time.perf_counter() - started) / 1e6)
    return max(rates), statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--peers", action="store_true", help="also python-lolhtml and selectolax, if importable")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    index = TrackerIndex(_config())
    page, clean = realistic_page(trackers=True), realistic_page(trackers=False)
    ours = consentkit_rewrite(index)
    held = b"".join(ours(chunks_of(page))).count(b"data-consentkit-category")
    assert b"".join(ours(chunks_of(clean))) == clean, "the page without trackers must pass byte for byte"
    print(
        f"page: {len(page):,} bytes, {page.count(b'<script'):,} scripts, {page.count(b'<iframe')} iframes, "
        f"{held} tags held back; {CHUNK // 1024} KB chunks; Python {sys.version.split()[0]}"
    )
    rows: list[tuple[str, Rewrite | None, bytes]] = [
        ("consentkit auto-gate, trackers page", ours, page),
        ("consentkit auto-gate, trackers page, first sight", consentkit_rewrite(index, first_sight=True), page),
        ("consentkit auto-gate, page without trackers", ours, clean),
        ("stdlib html.parser rewriter, trackers page", stdlib_rewrite(index), page),
    ]
    if args.peers:
        rows.append(("python-lolhtml 0.1.0, trackers page", lolhtml_rewrite(index), page))
        rows.append(("selectolax 1.0.2 (whole page), trackers page", selectolax_rewrite(index), page))
    baseline = None
    for name, run, data in rows:
        if run is None:
            print(f"{name:50} not installed")
            continue
        best, median = measure(run, data, args.rounds)
        baseline = baseline or (best if "stdlib" in name else None)
        print(f"{name:50} best {best:7.1f} MB/s   median {median:7.1f} MB/s")
    stdlib_best, _ = measure(stdlib_rewrite(index), page, max(5, args.rounds // 4))
    ours_best, _ = measure(ours, page, max(5, args.rounds // 4))
    print(f"consentkit / stdlib html.parser: {ours_best / stdlib_best:.1f}x")


if __name__ == "__main__":
    main()
