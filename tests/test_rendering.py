"""The server-rendered banner and the template helpers: works without JavaScript, in nb, sv and en."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from jinja2 import Environment, TemplateRuntimeError, TemplateSyntaxError
from markupsafe import Markup
from werkzeug.test import Client

from consentkit import ConsentExtension, ConsentMiddleware, widgets_for
from consentkit.consent import Consent, granted_set

from .conftest import BASE_TOML, config_from
from .html_audit import elements, text_of

Factory = Callable[..., ConsentMiddleware]


def environ_for(path: str = "/side", **headers: str) -> dict[str, Any]:
    environ: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": "", "wsgi.url_scheme": "http"}
    environ.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    return environ


def body_html(middleware: ConsentMiddleware, language: str = "nb", consent: Consent | None = None) -> str:
    environ = environ_for(ACCEPT_LANGUAGE=language)
    environ["consentkit.gate.middleware"] = middleware
    if consent is not None:
        environ["consentkit.consent"] = consent
    return str(widgets_for(environ).body())


def banner_html(middleware: ConsentMiddleware, language: str = "nb", consent: Consent | None = None) -> str:
    """Only the banner region of body()."""
    html = body_html(middleware, language, consent)
    start = html.find('<div id="consentkit-banner"')
    return html[start : html.index("</form>", start) + len("</form>\n</div>")] if start >= 0 else ""


def test_the_banner_is_a_plain_form_with_three_equal_buttons(make_middleware: Factory) -> None:
    """docs/compliance.md items 2 and 3: reject on the first layer, beside accept, same element and style."""
    html = banner_html(make_middleware())
    (region,) = elements(html, "div", id="consentkit-banner")
    assert region.attrs["role"] == "region"
    assert region.attrs["aria-labelledby"] == "consentkit-banner-title"
    (form,) = elements(html, "form")
    assert form.attrs == {"method": "post", "action": "/consentkit/consent", "class": "consentkit-form"}
    accept = elements(html, "button", value="accept_all")
    reject = elements(html, "button", value="reject_all")
    custom = elements(html, "button", value="custom")
    assert len(accept) == len(reject) == len(custom) == 1
    assert accept[0].attrs == {**reject[0].attrs, "value": "accept_all"}
    assert accept[0].parents == reject[0].parents  # side by side
    (summary,) = elements(html, "summary")
    assert summary.attrs["class"] == accept[0].attrs["class"]
    assert elements(html, "input", type="hidden", name="next", value="/side")


def test_no_category_is_pre_ticked_and_necessary_is_always_on(make_middleware: Factory) -> None:
    """docs/compliance.md item 4 (Planet49)."""
    html = banner_html(make_middleware())
    boxes = elements(html, "input", type="checkbox")
    optional = [box for box in boxes if box.attrs.get("name") == "category"]
    assert [box.attrs["value"] for box in optional] == ["functional", "analytics", "marketing"]
    assert all("checked" not in box.attrs for box in optional)
    (necessary,) = [box for box in boxes if "name" not in box.attrs]
    assert "checked" in necessary.attrs
    assert "disabled" in necessary.attrs
    assert all("details" in box.parents for box in boxes)


@pytest.mark.parametrize(
    ("language", "title", "accept", "reject", "customise", "save", "withdraw"),
    [
        (
            "nb-NO,nb;q=0.9",
            "Får vi bruke informasjonskapsler?",
            "Godta alle",
            "Avvis alle",
            "Tilpass",
            "Lagre valg",
            "trekke tilbake samtykket",
        ),
        (
            "sv-FI",
            "Får vi använda kakor?",
            "Acceptera alla",
            "Avvisa alla",
            "Anpassa",
            "Spara val",
            "återkalla ditt samtycke",
        ),
        (
            "en-GB",
            "May we use cookies?",
            "Accept all",
            "Reject all",
            "Customise",
            "Save choices",
            "withdraw your consent",
        ),
    ],
)
def test_the_banner_speaks_the_visitors_language(
    make_middleware: Factory,
    language: str,
    title: str,
    accept: str,
    reject: str,
    customise: str,
    save: str,
    withdraw: str,
) -> None:
    """docs/compliance.md item 11: purposes, withdrawal at any time, a link to the notice."""
    html = banner_html(make_middleware(), language)
    assert text_of(html).count(title) == 1
    assert elements(html, "button", value="accept_all")[0].text.strip() == accept
    assert elements(html, "button", value="reject_all")[0].text.strip() == reject
    assert elements(html, "summary")[0].text.strip() == customise
    assert elements(html, "button", value="custom")[0].text.strip() == save
    assert withdraw in text_of(html)
    (link,) = [a for a in elements(html, "a") if a.attrs["href"].startswith("/consentkit/notice")]
    assert link.text.strip()


def test_no_english_is_left_in_the_nb_and_sv_banners(make_middleware: Factory) -> None:
    middleware = make_middleware()
    names = {service.name for service in middleware.config.services}  # proper names, the same in every language
    english = [text for text in middleware.renderer.choice_texts("en") if text not in names]
    for language in ("nb", "sv"):
        html = banner_html(middleware, language)
        assert all(text in html for text in middleware.renderer.choice_texts(language))
        for name in names:
            html = html.replace(name, "")
        assert [text for text in english if text in html] == []


def test_a_decided_visitor_gets_the_settings_link_and_dialog(make_middleware: Factory) -> None:
    """docs/compliance.md item 10: a link on every page reopens the settings."""
    decided = Consent(decided=True, granted=granted_set({"analytics"}), consent_id="x" * 22, method="custom")
    html = body_html(make_middleware(), "sv", decided)
    assert not elements(html, "div", id="consentkit-banner")
    (link,) = elements(html, "a", class_="consentkit-settings-link")
    assert "data-consentkit-open" in link.attrs
    assert link.attrs["href"] == "/consentkit/notice?lang=sv&next=%2Fside#consentkit-settings"
    assert link.text == "Inställningar för kakor"
    # The dialog the link opens with JavaScript shows the current choice and closes with a button.
    (dialog,) = elements(html, "dialog", id="consentkit-dialog")
    assert dialog.attrs["aria-labelledby"] == "consentkit-dialog-title"
    boxes = {box.attrs["value"]: "checked" in box.attrs for box in elements(html, "input", name="category")}
    assert boxes == {"functional": False, "analytics": True, "marketing": False}
    # Its close button needs no script: it submits a form of method "dialog", which closes it.
    (close,) = elements(html, "button", class_="consentkit-close")
    assert close.parents[-2:] == ["dialog", "form"]
    assert len(elements(html, "form", method="dialog")) == 1


def test_the_settings_link_follows_the_banner_so_css_can_hide_it(make_middleware: Factory) -> None:
    html = body_html(make_middleware())
    assert html.index('id="consentkit-banner"') < html.index("consentkit-settings-link") < html.index("<dialog")


def test_nothing_to_ask_means_no_banner_at_all(make_middleware: Factory) -> None:
    necessary_only = config_from(
        categories={},
        cookies=[{"name": "session", "category": "necessary", "duration": "session", "purpose": {"en": "Login."}}],
        services=[],
    )
    assert body_html(make_middleware(cfg=necessary_only)) == ""


def test_site_texts_override_the_defaults(make_middleware: Factory) -> None:
    config = config_from(texts={"sv": {"banner_title": "Kakor hos Exempel"}})
    html = banner_html(make_middleware(cfg=config), "sv")
    assert elements(html, "h2")[0].text == "Kakor hos Exempel"
    assert elements(banner_html(make_middleware(cfg=config), "nb"), "h2")[0].text == "Får vi bruke informasjonskapsler?"


def test_the_head_helper_links_the_versioned_stylesheet_and_script(make_middleware: Factory) -> None:
    middleware = make_middleware()
    environ = environ_for()
    environ["consentkit.gate.middleware"] = middleware
    html = str(widgets_for(environ).head())
    version = middleware.renderer.static_version
    (link,) = elements(html, "link")  # the light palette: no dark stylesheet
    assert link.attrs["href"] == f"/consentkit/static/consentkit.css?v={version}"
    data, script, services, consent_mode = elements(html, "script")
    # Settings as a JSON data block (never run, so fine under a strict CSP), then the script itself.
    assert data.attrs == {"type": "application/json", "id": "consentkit-config"}
    assert json.loads(data.text) == {
        "base": "/consentkit",
        "state": {
            "decided": False,
            "categories": {"necessary": True, "functional": False, "analytics": False, "marketing": False},
            "services": {"google-analytics": False, "meta-pixel": False},
        },
        # Each Consent Mode type and what grants it: its category, or its Google service alone.
        "gpc": True,
        "gcm": {
            "functionality_storage": ["functional"],
            "personalization_storage": ["functional"],
            "analytics_storage": ["analytics", "google-analytics"],
            "ad_storage": ["marketing"],
            "ad_user_data": ["marketing"],
            "ad_personalization": ["marketing"],
        },
        # Each key's first-party names as one regular expression ("*" any run of characters).
        "purge": {
            "functional": "^(?:lang)$",
            "marketing": "^(?:tracker_.*)$",
            "google-analytics": "^(?:_ga|_ga_.*)$",
            "meta-pixel": "^(?:_fbp|_fbc)$",
        },
        # How a withdrawal stops services already running, without a reload.
        "stop": {
            "google-analytics": {"flags": ["ga-disable-G-DEMO123"]},
            "meta-pixel": {"calls": [["fbq", "consent", "revoke"]]},
        },
    }
    assert script.attrs == {"src": f"/consentkit/static/consentkit.js?v={version}"}
    # Services are enabled, Google's among them (so Consent Mode is on): their scripts after consentkit.js.
    assert services.attrs == {"src": f"/consentkit/static/consentkit-services.js?v={version}"}
    assert consent_mode.attrs == {"src": f"/consentkit/static/consentkit-gcm.js?v={version}"}


def head_html(middleware: ConsentMiddleware) -> str:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = middleware
    return str(widgets_for(environ).head())


def test_the_services_script_is_loaded_only_where_a_service_is_enabled(make_middleware: Factory) -> None:
    with_services = head_html(make_middleware())
    without = head_html(make_middleware(cfg=config_from(services=[])))
    assert "/consentkit/static/consentkit-services.js?v=" in with_services
    assert "consentkit-services.js" not in without
    assert "consentkit-gcm.js" not in without  # no Google service: Consent Mode is off too ("auto")


@pytest.mark.parametrize(("setting", "loaded"), [(False, False), (True, True), ("auto", True)])
def test_the_consent_mode_script_is_loaded_only_where_consent_mode_is_on(
    make_middleware: Factory, setting: bool | str, loaded: bool
) -> None:
    html = head_html(make_middleware(cfg=config_from(google_consent_mode=setting)))  # google-analytics is enabled
    sources = [script.attrs.get("src", "") for script in elements(html, "script")]
    assert any(source.startswith("/consentkit/static/consentkit-gcm.js?v=") for source in sources) is loaded
    assert bool(json.loads(elements(html, "script", id="consentkit-config")[0].text)["gcm"]) is loaded


def test_the_notice_brings_its_own_stylesheet_and_the_notice_page_links_it_in_its_head(
    make_middleware: Factory,
) -> None:
    """Only the notice needs consentkit-notice.css: inside the site's page it links it itself."""
    middleware = make_middleware()
    environ = environ_for()
    environ["consentkit.gate.middleware"] = middleware
    (link,) = elements(str(widgets_for(environ).notice()), "link")
    version = middleware.renderer.static_version
    assert link.attrs == {"rel": "stylesheet", "href": f"/consentkit/static/consentkit-notice.css?v={version}"}
    page = Client(middleware).get("/consentkit/notice?lang=nb").get_data(as_text=True)
    links = [link.attrs["href"] for link in elements(page, "link")]
    assert links == ["/consentkit/static/consentkit.css", "/consentkit/static/consentkit-notice.css"]


def test_the_settings_block_cannot_close_its_script_element(make_middleware: Factory) -> None:
    environ = environ_for()
    environ.update({"SCRIPT_NAME": "/a</script><script>alert(1)//", "consentkit.gate.middleware": make_middleware()})
    html = str(widgets_for(environ).head())
    assert html.count("</script>") == 4  # the settings block and three scripts
    data = elements(html, "script", id="consentkit-config")[0].text
    assert json.loads(data)["base"] == "/a</script><script>alert(1)/consentkit"


def test_helpers_follow_the_mount_point(make_middleware: Factory) -> None:
    environ = environ_for()
    environ.update({"SCRIPT_NAME": "/portal", "consentkit.gate.middleware": make_middleware()})
    html = str(widgets_for(environ).banner())
    assert elements(html, "form")[0].attrs["action"] == "/portal/consentkit/consent"
    assert elements(html, "input", name="next")[0].attrs["value"] == "/portal/side"


def test_hostile_paths_and_texts_come_out_escaped(make_middleware: Factory) -> None:
    config = config_from(texts={"en": {"banner_title": "<script>alert(1)</script>"}})
    environ = environ_for(path='/"><script>x</script>', ACCEPT_LANGUAGE="en")
    environ["QUERY_STRING"] = 'q="><img src=x onerror=alert(1)>'
    environ["consentkit.gate.middleware"] = make_middleware(cfg=config)
    html = str(widgets_for(environ).banner())
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_widgets_for_without_the_middleware_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="did not pass through ConsentMiddleware"):
        widgets_for({})


TEMPLATE = (
    '{% consent "analytics" %}<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
    "{% else %}<p>Statistikk er av.</p>{% endconsent %}"
)


def render(consent: Consent | None, source: str = TEMPLATE) -> str:
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    return environment.from_string(source).render(consent=consent)


def test_the_consent_tag_renders_the_body_as_is_when_granted() -> None:
    granted = Consent(decided=True, granted=granted_set({"analytics"}))
    assert render(granted) == '<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'


@pytest.mark.parametrize(
    "consent",
    [
        pytest.param(None, id="no-consent-in-context"),
        pytest.param(Consent(), id="undecided"),
        pytest.param(Consent(decided=True, granted=granted_set({"marketing"})), id="other-category"),
    ],
)
def test_the_consent_tag_renders_inert_plus_the_else_part_otherwise(consent: Consent | None) -> None:
    assert render(consent) == (
        '<script src="https://www.googletagmanager.com/gtag/js?id=G-1" type="text/plain" '
        'data-consentkit-category="analytics"></script>'
        "<!--consentkit-fallback analytics--><p>Statistikk er av.</p><!--/consentkit-fallback-->"
    )


SVG_PIXEL = '<svg width="1" height="1"><image href="https://www.facebook.com/tr?id=1" width="1" height="1"/></svg>'


def test_the_consent_tag_holds_back_an_svg_image() -> None:
    """In SVG an ``<image>`` fetches its ``href``: held back as ``data-href`` until the category is granted."""
    source = '{% consent "marketing" %}' + SVG_PIXEL + "{% endconsent %}"
    assert render(Consent(), source) == (
        '<svg width="1" height="1"><image data-href="https://www.facebook.com/tr?id=1" width="1" height="1" '
        'data-consentkit-category="marketing" /></svg>'
    )
    assert render(Consent(decided=True, granted=granted_set({"marketing"})), source) == SVG_PIXEL


NESTED = (
    '{% for id in ids %}{% consent "analytics" %}<script src="/a/{{ id }}.js"></script>'
    '{% consent "marketing" %}<img src="/m/{{ id }}.gif">{% else %}<i>{{ id }}</i>{% endconsent %}'
    "{% endconsent %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        pytest.param(
            {"analytics"},
            '<script src="/a/{0}.js"></script><img data-src="/m/{0}.gif" data-consentkit-category="marketing">'
            "<!--consentkit-fallback marketing--><i>{0}</i><!--/consentkit-fallback-->",
            id="outer-allowed",
        ),
        pytest.param(
            {"marketing"},
            # The outer block holds back all it holds, the inner block's allowed image too.
            '<script src="/a/{0}.js" type="text/plain" data-consentkit-category="analytics"></script>'
            '<img data-src="/m/{0}.gif" data-consentkit-category="analytics">',
            id="inner-allowed",
        ),
    ],
)
def test_nested_consent_blocks_in_a_loop_each_keep_their_own_body(granted: set[str], expected: str) -> None:
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    consent = Consent(decided=True, granted=granted_set(granted))
    html = environment.from_string(NESTED).render(consent=consent, ids=["x1", "x2"])
    assert html == expected.format("x1") + expected.format("x2")


def test_an_iframe_of_no_enabled_service_gets_a_placeholder_that_allows_its_category(make_middleware: Factory) -> None:
    environ = environ_for(ACCEPT_LANGUAGE="sv")
    environ["consentkit.gate.middleware"] = make_middleware()
    environ["consentkit.consent"] = Consent(decided=True, granted=granted_set({"analytics"}), consent_id="c" * 22)
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    template = environment.from_string(
        '{% consent "marketing" %}<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>{% endconsent %}'
    )
    html = template.render(consentkit=widgets_for(environ))
    (placeholder,) = elements(html, "div", class_="consentkit-placeholder")
    assert placeholder.attrs["data-consentkit-placeholder"] == "marketing"
    assert "www.youtube-nocookie.com" in placeholder.text
    assert "marknadsföring" in placeholder.text
    # Without JavaScript, the button adds marketing to whatever the visitor allows already (the server knows).
    assert [field.attrs["value"] for field in elements(html, "input", name="category")] == ["marketing"]
    assert elements(html, "button", value="service")[0].text == "Tillåt marknadsföring och visa innehållet"
    assert html.index("consentkit-placeholder") < html.index("<iframe")


YOUTUBE = '\n[[services]]\npreset = "youtube"\n'
VIDEO = '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'


@pytest.mark.parametrize("gate", ["marketing", "youtube"])
def test_a_blocked_video_gets_a_placeholder_that_allows_youtube_alone(make_middleware: Factory, gate: str) -> None:
    """Issue 9: the placeholder names YouTube, so its button allows YouTube and nothing else of marketing."""
    environ = environ_for(ACCEPT_LANGUAGE="nb")
    environ["consentkit.gate.middleware"] = make_middleware(cfg=config_from(BASE_TOML + YOUTUBE))
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    template = environment.from_string(f'{{% consent "{gate}" %}}{VIDEO}{{% endconsent %}}')
    html = template.render(consentkit=widgets_for(environ))
    (placeholder,) = elements(html, "div", class_="consentkit-placeholder")
    assert placeholder.attrs["data-consentkit-placeholder"] == "youtube"
    assert "Dette innholdet kommer fra YouTube (www.youtube-nocookie.com)" in placeholder.text
    assert [field.attrs["value"] for field in elements(html, "input", name="service")] == ["youtube"]
    assert not elements(html, "input", name="category")
    assert elements(html, "button", value="service")[0].text == "Tillat YouTube og vis innholdet"
    (frame,) = elements(html, "iframe")
    assert frame.attrs["data-consentkit-service"] == "youtube"
    assert frame.attrs["data-consentkit-category"] == "marketing"


def test_a_video_of_an_allowed_service_plays_inside_a_refused_category(make_middleware: Factory) -> None:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware(cfg=config_from(BASE_TOML + YOUTUBE))
    environ["consentkit.consent"] = Consent(services=frozenset({"youtube"}), consent_id="c" * 22, method="service")
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    source = '{% consent "marketing" %}' + VIDEO + '<img src="https://www.facebook.com/tr?id=1">{% endconsent %}'
    html = environment.from_string(source).render(consentkit=widgets_for(environ))
    assert VIDEO in html  # live: no placeholder
    assert not elements(html, "div", class_="consentkit-placeholder")
    assert 'data-src="https://www.facebook.com/tr?id=1"' in html  # the Meta Pixel stays blocked
    for name, expected in (("youtube", True), ("marketing", False), ("meta-pixel", False)):
        gated = environment.from_string(f'{{% consent "{name}" %}}on{{% else %}}off{{% endconsent %}}')
        assert (gated.render(consentkit=widgets_for(environ)) == "on") is expected


def test_a_service_the_site_does_not_use_is_a_clear_template_error(make_middleware: Factory) -> None:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware()
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    with pytest.raises(TemplateRuntimeError, match="the service is not enabled"):
        environment.from_string('{% consent "vimeo" %}x{% endconsent %}').render(consentkit=widgets_for(environ))
    with pytest.raises(TemplateSyntaxError, match="not a category or a service"):
        environment.from_string('{% consent "youtub" %}x{% endconsent %}')


def test_the_consent_tag_without_else_and_with_autoescaped_content() -> None:
    source = '{% consent "marketing" %}<iframe src="{{ url }}"></iframe>{% endconsent %}'
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    html = environment.from_string(source).render(url='https://v.test/"x', consent=Consent())
    assert html == '<iframe data-src="https://v.test/&#34;x" data-consentkit-category="marketing"></iframe>'


def test_the_consent_tag_takes_the_consentkit_object_and_variables(make_middleware: Factory) -> None:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware()
    environ["consentkit.consent"] = Consent(decided=True, granted=granted_set({"marketing"}))
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    template = environment.from_string("{% consent category %}<script>x()</script>{% endconsent %}")
    assert template.render(consentkit=widgets_for(environ), category="marketing") == "<script>x()</script>"
    assert "text/plain" in template.render(consentkit=widgets_for(environ), category="analytics")


def test_a_wrong_category_fails_early_and_clearly() -> None:
    from jinja2 import TemplateRuntimeError, TemplateSyntaxError

    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    with pytest.raises(TemplateSyntaxError, match=re.escape("{% consent 'stats' %}: not a category")):
        environment.from_string('{% consent "stats" %}x{% endconsent %}')
    with pytest.raises(TemplateRuntimeError, match=re.escape("{% consent 'stats' %}: not a category")):
        environment.from_string("{% consent name %}x{% endconsent %}").render(name="stats")


def test_the_banner_posts_and_redirects_with_javascript_off_in_every_language(make_middleware: Factory) -> None:
    """The issue's 'done when': the werkzeug client plays a browser without JavaScript."""
    for language in ("nb", "sv", "en"):

        def page(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [str(widgets_for(environ).body()).encode()]

        client = Client(make_middleware(page))
        html = banner_html_of(client.get("/faktura", headers={"Accept-Language": language}).text)
        (form,) = elements(html, "form")
        fields = {element.attrs["name"]: element.attrs["value"] for element in elements(html, "input", type="hidden")}
        response = client.post(form.attrs["action"] or "", data={**fields, "choice": "reject_all"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/faktura"
        after = client.get("/faktura", headers={"Accept-Language": language}).text
        assert not elements(after, "div", id="consentkit-banner")
        assert elements(after, "a", class_="consentkit-settings-link")


def banner_html_of(page: str) -> str:
    start = page.index('<div id="consentkit-banner"')
    return page[start : page.index("<dialog", start)]


def test_markup_is_returned_so_templates_do_not_escape_it(make_middleware: Factory) -> None:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware()
    assert isinstance(widgets_for(environ).body(), Markup)


def test_helper_calls_compile_to_direct_filters_and_render_as_the_calls_did(make_middleware: Factory) -> None:
    """``consentkit.head()`` becomes a filter (no ``Context.call`` per page); ``(consentkit.head)()`` is
    the same call spelt so that the rewrite leaves it, so both must render alike."""
    from consentkit.render.jinja import DIRECT_HELPERS

    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware()
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    for helper in DIRECT_HELPERS:
        rewritten, as_called = f"{{{{ consentkit.{helper}() }}}}", f"{{{{ (consentkit.{helper})() }}}}"
        source = environment.compile(rewritten, raw=True)
        assert f"_consentkit_{helper}" in source
        assert "context.call" not in source
        assert "context.call" in environment.compile(as_called, raw=True)
        html = environment.from_string(rewritten).render(consentkit=widgets_for(environ))
        assert html == environment.from_string(as_called).render(consentkit=widgets_for(environ))
        assert "consentkit" in html


def test_what_follows_a_rewritten_call_applies_to_its_result(make_middleware: Factory) -> None:
    environ = environ_for()
    environ["consentkit.gate.middleware"] = make_middleware()
    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    head = str(widgets_for(environ).head())
    render = lambda source: environment.from_string(source).render(consentkit=widgets_for(environ))  # noqa: E731
    assert render("{{ consentkit.head().startswith('<link') }}") == "True"
    assert render("{{ consentkit.head()|length }}") == str(len(head))
    assert render("{{ consentkit.head() ~ '!' }}") == head + "!"
    assert render("{% set kept = consentkit.head() %}{{ kept }}") == head


def test_a_template_s_own_consentkit_variable_is_called_as_written() -> None:
    class Own:
        def head(self) -> str:
            return "<own head>"

    environment = Environment(extensions=[ConsentExtension], autoescape=True)
    assert environment.from_string("{{ consentkit.head() }}").render(consentkit=Own()) == "&lt;own head&gt;"
    assert environment.from_string("{{ site.consentkit.head() }}").render(site={"consentkit": Own()}) == (
        "&lt;own head&gt;"
    )
    from jinja2 import UndefinedError

    for source in ("{{ consentkit.head() }}", "{{ (consentkit.head)() }}"):
        with pytest.raises(UndefinedError, match="'consentkit' is undefined"):
            environment.from_string(source).render()


def test_a_sandboxed_environment_keeps_its_checked_calls() -> None:
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(extensions=[ConsentExtension], autoescape=True)
    assert "environment.call(context" in environment.compile("{{ consentkit.head() }}", raw=True)
