"""The template tags and the Jinja2 environment give exactly what the Jinja helpers give."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template, TemplateSyntaxError
from django.template.backends.jinja2 import Jinja2
from django.test import RequestFactory
from jinja2 import Environment
from markupsafe import escape

from consentkit.consent import COOKIE_NAME, Consent, granted_set, new_consent_id
from consentkit.integrations.django.conf import gatekeeper
from consentkit.integrations.django.middleware import ConsentMiddleware
from consentkit.render.jinja import ConsentExtension
from consentkit.render.widgets import widgets_for

from .conftest import HOST

BODY = """<p>{{ title }}</p>
<iframe src="https://www.youtube-nocookie.com/embed/x" title="{{ title }}"></iframe>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>"""

DJANGO = (
    "{% load consentkit %}{% consentkit_head %}{% consentkit_body %}{% consentkit_banner %}{% consentkit_dialog %}"
    '{% consentkit_settings_link %}{% consentkit_settings_link "Cookies & co" %}{% consentkit_notice %}'
    '{% consent "marketing" %}' + BODY + "{% else %}<p>{{ title }} without video</p>{% endconsent %}"
    '{% consent "analytics" %}' + BODY + "{% endconsent %}"
)
JINJA = (
    "{{ consentkit.head() }}{{ consentkit.body() }}{{ consentkit.banner() }}{{ consentkit.dialog() }}"
    '{{ consentkit.settings_link() }}{{ consentkit.settings_link("Cookies & co") }}{{ consentkit.notice() }}'
    '{% consent "marketing" %}' + BODY + "{% else %}<p>{{ title }} without video</p>{% endconsent %}"
    '{% consent "analytics" %}' + BODY + "{% endconsent %}"
)
# Without quotes: Django writes &quot; where Jinja writes &#34;, the engines' own affair.
HOSTILE = "<script>alert(1)</script> & co"


def _request(path: str = "/nb/?q=1", cookie: str = "", language: str | None = "sv") -> HttpRequest:
    """A request as the view sees it: through ConsentMiddleware, with LocaleMiddleware's language."""
    request = RequestFactory().get(path, HTTP_HOST=HOST, HTTP_COOKIE=cookie, HTTP_ACCEPT_LANGUAGE="nb")
    if language:
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    ConsentMiddleware(lambda inner: HttpResponse())(request)
    return request


def _marketing_cookie() -> str:
    keeper = gatekeeper()
    consent = Consent(
        decided=True,
        granted=granted_set({"marketing"}),
        policy_version=keeper.config.policy_version,
        consent_id=new_consent_id(),
        method="custom",
    )
    return f"{COOKIE_NAME}={keeper.codec.dumps(consent)}"


def _plain_jinja(request: HttpRequest, **context: Any) -> str:
    env = Environment(autoescape=True, extensions=[ConsentExtension])
    language = getattr(request, "LANGUAGE_CODE", None)
    return env.from_string(JINJA).render(consentkit=widgets_for(request.META, language), **context)


@pytest.mark.parametrize("consented", [False, True], ids=["undecided", "marketing-granted"])
def test_django_tags_give_what_the_jinja_helpers_give(consented: bool) -> None:
    cookie = _marketing_cookie() if consented else ""
    request = _request(cookie=cookie)
    django_html = Template(DJANGO).render(Context({"request": request, "title": HOSTILE}))
    assert django_html == _plain_jinja(_request(cookie=cookie), title=HOSTILE)
    assert HOSTILE not in django_html  # the page's own values stay escaped
    assert ("consentkit-banner" in django_html) is not consented
    assert ("<!--consentkit-fallback marketing-->" in django_html) is not consented
    swedish_title = str(escape(gatekeeper().renderer.texts("sv")("banner_title")))
    assert swedish_title in _plain_jinja(_request())  # Django's language (sv), not the browser's (nb)


def test_the_jinja2_backend_gives_the_same() -> None:
    jinja = Jinja2(
        {
            "NAME": "jinja2",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "consentkit.django.jinja2.environment"},
        }
    )
    request = _request()
    html = jinja.from_string(JINJA).render({"title": HOSTILE}, request=request)
    assert html == _plain_jinja(_request(), title=HOSTILE)


def test_consent_in_views_and_templates_marks_the_response_as_varying() -> None:
    request = _request()
    Template('{% load consentkit %}{% consent "analytics" %}x{% endconsent %}').render(Context({"request": request}))
    assert request.META["consentkit.varies"] is True


def test_an_unknown_category_is_a_template_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="not a category or a service; expected one of necessary"):
        Template('{% load consentkit %}{% consent "tracking" %}x{% endconsent %}')
    with pytest.raises(TemplateSyntaxError, match="takes one category or service"):
        Template("{% load consentkit %}{% consent %}x{% endconsent %}")
    template = Template("{% load consentkit %}{% consent name %}x{% endconsent %}")
    with pytest.raises(TemplateSyntaxError, match="'tracking'"):
        template.render(Context({"request": _request(), "name": "tracking"}))


def test_a_missing_request_or_middleware_says_what_to_add() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"context_processors\.request"):
        Template("{% load consentkit %}{% consentkit_head %}").render(Context({}))
    bare = RequestFactory().get("/")
    with pytest.raises(ImproperlyConfigured, match=r"consentkit\.django\.ConsentMiddleware"):
        Template("{% load consentkit %}{% consentkit_banner %}").render(Context({"request": bare}))


TEXT_BLOCKS = (
    '{% consent "marketing" %}<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'
    "{% else %}<p>Uten video</p>{% endconsent %}"
    '{% consent "analytics" %}<script src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>{% endconsent %}'
)


@pytest.mark.parametrize("consented", [False, True], ids=["undecided", "marketing-granted"])
def test_blocks_of_template_text_alone_give_what_jinja_gives_with_each_requests_path(consented: bool) -> None:
    cookie = _marketing_cookie() if consented else ""
    template = Template("{% load consentkit %}" + TEXT_BLOCKS)
    env = Environment(autoescape=True, extensions=[ConsentExtension])
    for path in ("/nb/one?a=<1>", "/nb/two", "/nb/one?a=<1>"):
        html = template.render(Context({"request": _request(path, cookie)}))
        request = _request(path, cookie)
        assert html == env.from_string(TEXT_BLOCKS).render(consentkit=widgets_for(request.META, "sv"))
        assert ("/nb/one" in html) is (path.startswith("/nb/one") and not consented)
        assert ("/nb/two" in html) is (path == "/nb/two" and not consented)


def test_a_helper_tag_stores_its_html_with_as_and_refuses_arguments() -> None:
    request = _request()
    stored = Template("{% load consentkit %}{% consentkit_head as head %}[{{ head }}]").render(
        Context({"request": request})
    )
    assert stored == "[" + widgets_for(request.META, "sv").head() + "]"
    with pytest.raises(TemplateSyntaxError, match="takes no arguments"):
        Template('{% load consentkit %}{% consentkit_body "x" %}')
