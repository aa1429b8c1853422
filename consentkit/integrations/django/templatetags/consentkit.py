"""``{% load consentkit %}``: the helpers of the Jinja templates, in the Django template language.

``{% consentkit_head %}`` in ``<head>``, ``{% consentkit_body %}`` at the top of
``<body>`` (or its parts: ``consentkit_banner``, ``consentkit_dialog``),
``{% consentkit_settings_link %}``, ``{% consentkit_notice %}``, and the block
``{% consent "analytics" %} ... {% else %} ... {% endconsent %}``. Each gives
exactly what the Jinja helper of the same name gives. They need
``request`` in the context (the ``request`` context processor).
"""

from __future__ import annotations

from collections.abc import Callable

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, TextNode, Token
from django.template.context import Context
from markupsafe import Markup

from ....render.gated import BlockNameError, block_name_problem, fallback, held_back, name_problem, text_block
from ....render.widgets import Widgets
from ..widgets import request_widgets

register = template.Library()


def _widgets(context: Context) -> Widgets:
    return request_widgets(context.get("request"))


class HelperNode(Node):
    """A helper without arguments: its HTML, a ``Markup``, which Django outputs as it is (as
    ``simple_tag``'s ``conditional_escape`` would leave it, without its generic argument
    handling on every page); ``as name`` stores it in the context instead, as ``simple_tag`` does."""

    def __init__(self, helper: Callable[[Widgets], Markup], target: str | None) -> None:
        self.helper = helper
        self.target = target

    def render(self, context: Context) -> str:
        html = self.helper(_widgets(context))
        if self.target is None:
            return html
        context[self.target] = html
        return ""


def _helper_tag(name: str, helper: Callable[[Widgets], Markup]) -> None:
    def compile_tag(parser: Parser, token: Token) -> HelperNode:
        bits = token.split_contents()
        if len(bits) == 1:
            return HelperNode(helper, None)
        if len(bits) == 3 and bits[1] == "as":
            return HelperNode(helper, bits[2])
        raise template.TemplateSyntaxError(f"{{% {name} %}} takes no arguments (or: {name} as a_name)")

    register.tag(name, compile_tag)


_helper_tag("consentkit_head", Widgets.head)
_helper_tag("consentkit_body", Widgets.body)
_helper_tag("consentkit_banner", Widgets.banner)
_helper_tag("consentkit_dialog", Widgets.dialog)
_helper_tag("consentkit_notice", Widgets.notice)


@register.simple_tag(takes_context=True)
def consentkit_settings_link(context: Context, label: str | None = None) -> Markup:
    # Django counts a quoted literal as safe HTML; the label is text, escaped as in Jinja.
    return _widgets(context).settings_link(None if label is None else str.__str__(label))


def _text_of(nodes: NodeList | None) -> str | None:
    """The text of a block's part made of template text alone (no tag, no variable), else None."""
    if nodes is None:
        return ""
    parts: list[str] = []
    for node in nodes:
        if type(node) is not TextNode:
            return None
        parts.append(node.s)
    return "".join(parts)


class ConsentNode(Node):
    def __init__(
        self, category: FilterExpression, body: NodeList, otherwise: NodeList | None, literal: str | None = None
    ) -> None:
        self.category = category
        #: The name when the tag writes it out (``{% consent "analytics" %}``): nothing to resolve per render.
        self.literal = literal
        self.body = body
        self.otherwise = otherwise
        # Template text alone (an analytics snippet, an embed) is the same on every render: taken once
        # here, and what the block renders to kept per locale and consent state (``text_block``).
        self.text, self.otherwise_text = _text_of(body), _text_of(otherwise)

    def render(self, context: Context) -> str:
        category = self.literal if self.literal is not None else self.category.resolve(context)
        widgets = _widgets(context)
        if self.text is not None and self.otherwise_text is not None:
            try:
                return text_block(self.text, category, widgets, self.otherwise_text)
            except BlockNameError as wrong:
                raise template.TemplateSyntaxError(str(wrong)) from None
        problem = block_name_problem(category, widgets)
        if problem is not None:
            raise template.TemplateSyntaxError(problem)
        body = self.body.render(context)
        consent = widgets.consent  # read once: each read also marks the response as varying on it
        if consent.allows(category):
            return body
        held = held_back(body, category, widgets, consent)
        if self.otherwise is not None:
            held += fallback(self.otherwise.render(context), category)
        return held


@register.tag("consent")
def consent(parser: Parser, token: Token) -> ConsentNode:
    """``{% consent "analytics" %}`` ... ``{% else %}`` ... ``{% endconsent %}``."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(
            '{% consent %} takes one category or service, as in {% consent "analytics" %}'
        )
    category = parser.compile_filter(bits[1])
    literal = category.var if isinstance(category.var, str) and not category.filters else None  # a quoted name
    if literal is not None and name_problem(literal) is not None:
        raise template.TemplateSyntaxError(name_problem(literal))
    body = parser.parse(("else", "endconsent"))
    otherwise = None
    if parser.next_token().contents == "else":
        otherwise = parser.parse(("endconsent",))
        parser.delete_first_token()
    return ConsentNode(category, body, otherwise, None if literal is None else str.__str__(literal))
