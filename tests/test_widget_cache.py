"""Widgets rendered once and filled in per request never carry one request's path, consent or nonce into another's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from consentkit import ConsentExtension, ConsentMiddleware, widgets_for
from consentkit.consent import UNDECIDED, Consent, granted_set
from consentkit.render import fragments, i18n
from consentkit.render.fragments import FILLS_KEPT, LIMIT, Fragment, FragmentCache, escaped
from consentkit.render.gated import TEXT_BLOCKS_KEPT
from consentkit.render.widgets import current_path

from .conftest import BASE_TOML, config_from

Factory = Callable[..., ConsentMiddleware]

SERVICES_TOML = BASE_TOML + '\n[[services]]\npreset = "youtube"\n'

PAGE = (
    "{{ consentkit.head() }}{{ consentkit.body() }}{{ consentkit.settings_link() }}"
    '{% consent "analytics" %}<script nonce="{{ nonce }}" src="https://www.googletagmanager.com/gtag/js"></script>'
    '{% else %}<p nonce="{{ nonce }}">later</p>{% endconsent %}'
    '{% consent "youtube" %}<iframe src="https://www.youtube.com/embed/{{ video }}"></iframe>{% endconsent %}'
    '{% consent "marketing" %}<img src="https://px.example.test/p.gif?n={{ nonce }}">{% endconsent %}'
)

#: (path, query, language, consent, nonce, video): paths and queries with characters HTML must escape.
REQUESTS: list[tuple[str, str, str, Consent, str, str]] = [
    ("/a", "", "nb", UNDECIDED, "nonce-one", "v1"),
    ('/b"><script>alert(1)</script>', "q=<x>&y='1'", "nb", UNDECIDED, "nonce-two", "v2"),
    ("/c", "", "sv", Consent(decided=True, granted=granted_set(["analytics"])), "nonce-three", "v1"),
    ("/a", "", "nb", Consent(decided=False, services=frozenset({"youtube"})), "nonce-four", "v3"),
    ("/d/ø", "", "en", Consent(decided=True, granted=granted_set([])), "nonce-five", "v2"),
    ("/a", "", "nb", UNDECIDED, "nonce-six", "v1"),
]


def render(middleware: ConsentMiddleware, request: tuple[str, str, str, Consent, str, str]) -> str:
    path, query, language, consent, nonce, video = request
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.url_scheme": "http",
        "HTTP_ACCEPT_LANGUAGE": language,
        "consentkit.gate.middleware": middleware,
        "consentkit.consent": consent,
    }
    template = Environment(extensions=[ConsentExtension], autoescape=True).from_string(PAGE)
    return template.render(consentkit=widgets_for(environ), nonce=nonce, video=video)


def test_a_warm_cache_renders_each_request_as_a_cold_renderer_would(make_middleware: Factory) -> None:
    warm = make_middleware(cfg=config_from(SERVICES_TOML))
    for _ in range(2):  # the second pass is served from the cache throughout
        for request in REQUESTS:
            cold = make_middleware(cfg=config_from(SERVICES_TOML))
            assert render(warm, request) == render(cold, request), request
    assert len(warm.renderer.fragments) > 0
    assert warm.renderer.held_back
    assert warm.renderer.bodies
    assert warm.renderer.pages


def test_what_a_page_works_out_is_kept_per_request_values_and_bounded(make_middleware: Factory) -> None:
    from consentkit.render.renderer import PAGES_LIMIT

    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    template = environment.from_string("{{ consentkit.body() }}")
    for number in range(PAGES_LIMIT + 40):
        language = ("nb", "sv", "en")[number % 3]
        environ = {"PATH_INFO": f"/p{number}", "QUERY_STRING": "", "HTTP_ACCEPT_LANGUAGE": language}
        environ["consentkit.gate.middleware"] = middleware
        html = template.render(consentkit=widgets_for(environ))
        assert f"next=%2Fp{number}#" in html  # the settings link comes back to this page
        assert f'lang="{language}"' in html
    assert len(middleware.renderer.pages) <= PAGES_LIMIT


def test_no_request_sees_another_requests_path_nonce_or_consent(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    pages = [render(middleware, request) for request in REQUESTS * 2]
    for page, request in zip(pages, REQUESTS * 2, strict=True):
        path, _query, _language, consent, nonce, video = request
        others = [other for other in REQUESTS if other[4] != nonce]
        assert nonce in page
        assert all(other[4] not in page for other in others), "another request's nonce"
        if "script" not in path:
            assert all(other[0] not in page for other in others if other[0] != path and len(other[0]) > 2)
        assert ("consentkit-banner" in page) == (not consent.decided)
        checked = 'value="youtube" data-consentkit-in="marketing" checked' in page
        assert checked == consent.allows("youtube")
        assert f"/embed/{video}" in page
    assert "<script>alert(1)</script>" not in "".join(pages)


def test_a_slot_a_template_would_change_is_rendered_in_full_every_time() -> None:
    cache = FragmentCache()
    calls: list[Mapping[str, object]] = []

    def shouting(values: Mapping[str, object]) -> str:
        calls.append(values)
        return f"<p>{str(values['path']).upper()}</p>"

    assert cache.render("k", shouting, {"path": "/a"}) == "<p>/A</p>"
    assert cache.render("k", shouting, {"path": "/b"}) == "<p>/B</p>"
    assert [values["path"] for values in calls[1:]] == ["/a", "/b"]  # after the first, failed split


def test_the_cache_is_bounded() -> None:
    cache = FragmentCache(limit=8)
    for number in range(50):
        assert cache.render(number, lambda values: f"<b>{values['x']}</b>", {"x": number}) == f"<b>{number}</b>"
    assert len(cache) <= 8


def test_the_fills_of_a_fragment_and_the_escaped_values_are_kept_per_value_and_bounded() -> None:
    fragment = Fragment.of(lambda values: f'<a href="{values["path"]}">x</a>', ("path",))
    assert fragment is not None
    for number in range(FILLS_KEPT * 3):
        path = f"/p{number % (FILLS_KEPT * 2)}?q=<{number}>&'\""
        filled = fragment.fill({"path": path})
        assert filled == f'<a href="{escape(path)}">x</a>'
        assert escaped(path) == str(escape(path))
    assert len(fragment._filled) <= FILLS_KEPT
    for number in range(LIMIT + 10):
        assert escaped(f"/{number}&") == f"/{number}&amp;"
    assert len(fragments._escaped_texts) <= LIMIT
    long_path = "/<x>" * 200
    assert escaped(long_path) == str(escape(long_path))
    assert long_path not in fragments._escaped_texts  # a path of kilobytes is not kept
    assert escaped(Markup("<b>")) == "<b>"  # HTML already: as markupsafe leaves it


def test_each_accept_language_gets_its_own_locale_and_the_answers_are_bounded(make_middleware: Factory) -> None:
    middleware = make_middleware()
    for number in range(600):
        header = f"sv-SE;q=0.{number % 9 + 1}, x-{number}" if number % 2 else f"nb-NO, x-{number}"
        assert middleware.locale_for({"HTTP_ACCEPT_LANGUAGE": header}) == ("sv" if number % 2 else "nb")
    assert middleware.locale_for({}) == middleware.config.default_locale
    assert i18n._negotiate.cache_info().currsize <= 512


def test_a_text_label_and_a_markup_label_never_share_a_settings_link(make_middleware: Factory) -> None:
    environ: dict[str, Any] = {"PATH_INFO": "/", "QUERY_STRING": "", "consentkit.gate.middleware": make_middleware()}
    widgets = widgets_for(environ)
    assert "&lt;b&gt;Cookies&lt;/b&gt;" in widgets.settings_link("<b>Cookies</b>")
    assert "><b>Cookies</b></a>" in widgets.settings_link(Markup("<b>Cookies</b>"))
    assert "&lt;b&gt;Cookies&lt;/b&gt;" in widgets.settings_link("<b>Cookies</b>")


def test_a_kept_held_back_block_carries_each_requests_own_path_and_locale(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    first = render(middleware, ("/first", "a=<1>", "nb", UNDECIDED, "n1", "v1"))
    second = render(middleware, ("/second", "", "sv", UNDECIDED, "n2", "v1"))
    third = render(middleware, ("/first", "a=<1>", "nb", UNDECIDED, "n3", "v1"))
    assert first.replace("n1", "n3") == third
    assert 'name="next" value="/first?a=&lt;1&gt;"' in first
    assert "first" not in second
    assert 'data-consentkit-placeholder="youtube" lang="sv"' in second
    assert len(middleware.renderer.held_back) >= 4  # per locale: the placeholders speak the visitor's language


def test_a_block_with_a_nul_is_held_back_anew_on_every_render(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    template = Environment(extensions=[ConsentExtension], autoescape=True).from_string(
        '{% consent "youtube" %}<iframe src="https://www.youtube.com/embed/x"></iframe>\x00{% endconsent %}'
    )
    for path in ("/one", "/two"):
        environ: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": "", "consentkit.gate.middleware": middleware}
        page = template.render(consentkit=widgets_for(environ))
        assert f'name="next" value="{path}"' in page
        assert "\x00" in page
        assert "data-consentkit-service" in page


def test_braces_in_a_widget_or_a_value_come_out_as_they_are() -> None:
    cache = FragmentCache()

    def braced(values: Mapping[str, object]) -> str:
        return f'<p data-x="{{{{x}}}} {{0}}">{values["path"]}}}{{</p>{values["path"]}'

    for path in ("/a{0}", "/b{path}{{", "/c}"):
        assert cache.render("k", braced, {"path": path}) == braced({"path": path})


def text_blocks(filler: str) -> str:
    """Three blocks of template text alone, or (``filler`` an expression) the same blocks captured on each render."""
    return (
        f'{{% consent "analytics" %}}{filler}<script src="https://www.googletagmanager.com/gtag/js"></script>'
        f"{{% else %}}{filler}<p>Statistikk er av.</p>{{% endconsent %}}"
        f'{{% consent "youtube" %}}{filler}<iframe src="https://www.youtube.com/embed/v1"></iframe>'
        f"{{% else %}}{filler} {{# nothing #}}{{% endconsent %}}"
        f'{{% consent "marketing" %}}{filler}<img src="https://px.example.test/p.gif">{{% endconsent %}}'
    )


def test_a_block_of_template_text_alone_renders_as_a_captured_one_would(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    constant, captured = (environment.from_string(text_blocks(filler)) for filler in ("", "{{ empty }}"))
    assert "_consentkit_block" not in environment.compile(text_blocks(""), raw=True)  # nothing captured
    for _ in range(2):  # the second pass is served from the cache throughout
        for path, query, language, consent, _nonce, _video in REQUESTS:
            environ: dict[str, Any] = {
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "HTTP_ACCEPT_LANGUAGE": language,
                "consentkit.gate.middleware": middleware,
                "consentkit.consent": consent,
            }
            page = constant.render(consentkit=widgets_for(environ))
            assert page == captured.render(consentkit=widgets_for(environ), empty=""), (path, language)
            # Each request's own path in the video's placeholder, never the path that filled the cache.
            if not consent.allows("youtube"):
                assert f'name="next" value="{escape(current_path(environ))}"' in page
            assert ("<!--consentkit-fallback analytics-->" in page) is not consent.allows("analytics")
    assert middleware.renderer.held_back


def test_blocks_of_template_text_kept_per_locale_and_consent_state_are_bounded(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    environ: dict[str, Any] = {"PATH_INFO": "/", "QUERY_STRING": "", "consentkit.gate.middleware": middleware}
    for number in range(3 * TEXT_BLOCKS_KEPT):  # templates made at run time, each with a block of its own
        script = f'<script src="/{number}.js"></script>'
        template = environment.from_string(f'{{% consent "analytics" %}}{script}{{% endconsent %}}')
        page = template.render(consentkit=widgets_for(environ))
        assert page == f'<script src="/{number}.js" type="text/plain" data-consentkit-category="analytics"></script>'
    assert 0 < len(widgets_for(environ).know().text_blocks) <= TEXT_BLOCKS_KEPT


def test_kept_html_is_markup_that_every_engine_outputs_as_it_is(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(SERVICES_TOML))
    environ: dict[str, Any] = {"PATH_INFO": "/a", "QUERY_STRING": "", "consentkit.gate.middleware": middleware}
    widgets = widgets_for(environ)
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    block = environment.from_string(text_blocks("")).render(consentkit=widgets)
    for html in (widgets.head(), widgets.body(), widgets.body()):  # the second body() is the kept one
        assert isinstance(html, Markup)
        assert html.__html__() == str(html) == escape(html)
        assert environment.from_string("{{ html }}").render(html=html) == html
        assert (html + "<b>").endswith("&lt;b&gt;")  # Markup's own escaping of what is added
    assert "<iframe data-src=" in block
    assert "&lt;" not in block
