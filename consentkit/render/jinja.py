"""``{% consent "analytics" %} ... {% else %} ... {% endconsent %}`` for any Jinja environment.

The name is a category or a service (a preset key such as ``"youtube"``).
When the visitor allows it, the body renders as written. Otherwise it renders
inert (see ``inert.py``), each blocked iframe gets a placeholder whose button
allows that iframe's service alone (or, for a host no service claims, the
category), and the ``else`` part follows between two comments,
``<!--consentkit-fallback NAME-->`` and ``<!--/consentkit-fallback-->``, so
that consentkit.js can switch the body on and remove the rest without a reload.

Comments, not an element, because the block may stand in ``<head>``: a
``<div>`` there ends the head early (everything after it lands in the body),
while a comment is valid wherever a tag is. Placeholders are ``<div>`` but
appear only for a blocked ``<iframe>``, which belongs in the body anyway. An
``else`` part that renders only whitespace (a Jinja comment) adds nothing.

The visitor's consent is taken from the template context: ``consentkit`` (the
object the Flask extension and ``widgets_for(environ)`` provide) or
``consent`` (a ``Consent``). Without either, nothing optional is allowed.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateRuntimeError
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup

from ..categories import ALL_CATEGORIES
from ..config.services import builtin_presets
from ..consent import Consent
from .inert import Gate, blocked_frame_hosts, make_inert
from .widgets import Widgets


def _problem(name: object) -> str | None:
    """Why ``name`` cannot be gated on, or None when it is a category or a known service."""
    if isinstance(name, str) and (name in ALL_CATEGORIES or name in builtin_presets()):
        return None
    return (
        f"{{% consent {name!r} %}}: not a category or a service; expected one of {', '.join(ALL_CATEGORIES)}, "
        f"or a service such as {', '.join(list(builtin_presets())[:3])}"
    )


def _check_name(name: object, widgets: object = None) -> str:
    problem = _problem(name)
    if problem is not None:
        raise TemplateRuntimeError(problem)
    name = str(name)
    if isinstance(widgets, Widgets) and name not in ALL_CATEGORIES and name not in widgets.config.service_categories:
        raise TemplateRuntimeError(
            f"{{% consent {name!r} %}}: the service is not enabled or its category is not offered; "
            f'add [[services]] preset = "{name}" to consentkit.toml'
        )
    return name


def _gate(name: str, widgets: object, consent: Consent | None) -> Gate:
    """How to hold back a block gated on the category or service ``name``."""
    allowed = consent.services if consent else frozenset()
    if isinstance(widgets, Widgets):
        config = widgets.config
        if name in ALL_CATEGORIES:
            return Gate(name, service_at=config.service_at, allowed=allowed)
        return Gate(config.service_categories[name], service=name)
    return Gate(name) if name in ALL_CATEGORIES else Gate(builtin_presets()[name].category, service=name)


def consent_in(context: Context) -> Consent | None:
    widgets = context.get("consentkit")
    consent = getattr(widgets, "consent", None)
    if isinstance(consent, Consent):
        return consent
    consent = context.get("consent")
    return consent if isinstance(consent, Consent) else None


class ConsentExtension(Extension):
    tags = {"consent"}  # noqa: RUF012 (the base class declares it a plain set)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        category = parser.parse_expression()
        if isinstance(category, nodes.Const):
            problem = _problem(category.value)
            if problem is not None:
                parser.fail(problem, lineno)
        body = parser.parse_statements(("name:else", "name:endconsent"))
        fallback: list[nodes.Node] = []
        if next(parser.stream).test("name:else"):
            fallback = parser.parse_statements(("name:endconsent",), drop_needle=True)
        allowed = self.call_method("_allows", [category, nodes.ContextReference()])
        inert_body = nodes.CallBlock(self.call_method("_inert", [category, nodes.ContextReference()]), [], [], body)
        otherwise: list[nodes.Node] = [inert_body]
        if fallback:
            otherwise.append(nodes.CallBlock(self.call_method("_fallback", [category]), [], [], fallback))
        return nodes.If(allowed, body, [], otherwise, lineno=lineno)

    def _allows(self, category: object, context: Context) -> bool:
        consent = consent_in(context)
        return consent is not None and consent.allows(_check_name(category, context.get("consentkit")))

    def _inert(self, category: object, context: Context, caller: Any) -> Markup:
        widgets = context.get("consentkit")
        gate = _gate(_check_name(category, widgets), widgets, consent_in(context))
        # The body is the site's own rendered template output, already escaped by Jinja.
        inert = Markup(make_inert(str(caller()), gate))  # noqa: S704
        if not isinstance(widgets, Widgets):
            return inert
        return widgets.placeholders(gate, blocked_frame_hosts(inert)) + inert

    def _fallback(self, category: object, caller: Any) -> Markup:
        # Marked so that consentkit.js can remove it once the category or service is allowed live.
        name = _check_name(category)
        content = str(caller())
        if not content.strip():
            return Markup("")
        # A category or a preset key (checked above): neither holds "--", so it cannot end the comment.
        opening = Markup(f"<!--consentkit-fallback {name}-->")  # noqa: S704
        return opening + Markup(content) + Markup("<!--/consentkit-fallback-->")  # noqa: S704 (the template's output)
