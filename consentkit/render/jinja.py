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

The extension also compiles ``consentkit.head()`` and the other helpers called
without arguments (``DIRECT_HELPERS``) to a filter, as it does its blocks: Jinja
sends every call in a template through ``Context.call``, which inspects the
callable each time, about 1.5 µs a helper on every page. The filter calls the
helper of a ``Widgets`` directly and anything else (a template's own variable
named ``consentkit``) as the call would have, so a template renders the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import count
from operator import methodcaller
from typing import Any, Final

from jinja2 import Environment, nodes, pass_context
from jinja2.exceptions import TemplateRuntimeError
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_DOT, TOKEN_LPAREN, TOKEN_NAME, TOKEN_PIPE, TOKEN_RPAREN, Token, TokenStream
from jinja2.parser import Parser
from jinja2.runtime import Context
from markupsafe import Markup

from ..consent import Consent
from .gated import BlockNameError, block_name_problem, fallback, held_back, name_problem, text_block
from .widgets import Widgets

#: The filters each block compiles to (names no template would choose for its own).
HELD_FILTER: Final = "_consentkit_held"
ALLOWS_FILTER: Final = "_consentkit_allows"
TEXT_FILTER: Final = "_consentkit_text"

#: The helpers a template calls without arguments (``consentkit.head()``) that compile to a direct filter call.
DIRECT_HELPERS: Final = ("head", "body", "banner", "dialog", "settings_link", "notice")
#: The name the helpers go by in templates (the Flask extension's and ``widgets_for``'s variable).
HELPERS_NAME: Final = "consentkit"
#: ``consentkit.NAME()`` after its first token: ``.``, the helper's name, ``(``, ``)``.
_CALL_SHAPE: Final = (TOKEN_DOT, TOKEN_NAME, TOKEN_LPAREN, TOKEN_RPAREN)

#: Numbers each block's captured body apart (a nested block must not overwrite its parent's).
_BLOCKS: Final = count()


def _check_name(name: object, widgets: Widgets | None = None) -> str:
    problem = block_name_problem(name, widgets)
    if problem is not None:
        raise TemplateRuntimeError(problem)
    return str(name)


def _text_of(body: list[nodes.Node]) -> str | None:
    """The text of a block's body made of template text alone (no tag, no expression), else None."""
    parts: list[str] = []
    for node in body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if not isinstance(child, nodes.TemplateData):
                return None
            parts.append(child.data)
    return "".join(parts)


def consent_in(context: Context) -> Consent | None:
    widgets = context.get(HELPERS_NAME)
    consent = getattr(widgets, "consent", None)
    if isinstance(consent, Consent):
        return consent
    consent = context.get("consent")
    return consent if isinstance(consent, Consent) else None


class ConsentExtension(Extension):
    tags = {"consent"}  # noqa: RUF012 (the base class declares it a plain set)

    def parse(self, parser: Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        category = parser.parse_expression()
        if isinstance(category, nodes.Const):
            problem = name_problem(category.value)
            if problem is not None:
                parser.fail(problem, lineno)
        body = parser.parse_statements(("name:else", "name:endconsent"))
        else_body: list[nodes.Node] = []
        if next(parser.stream).test("name:else"):
            else_body = parser.parse_statements(("name:endconsent",), drop_needle=True)
        text, otherwise_text = _text_of(body), _text_of(else_body)
        if text is not None and otherwise_text is not None:
            # Template text alone (an analytics snippet, an embed): the same on every render, so it is
            # compiled in as a constant, nothing is captured, and the block is one filter call. The
            # request's helpers are passed as a template variable, which the template resolves once.
            arguments = [category, nodes.Name(HELPERS_NAME, "load"), nodes.Const(otherwise_text)]
            filtered = self._filter(TEXT_FILTER, nodes.Const(text), arguments, lineno)
            return [nodes.Output([filtered], lineno=lineno)]
        # One plain call per block, a cost paid on every page: the body is captured in place (no macro),
        # and handed to a filter, which Jinja calls directly (a call in a template goes through
        # ``Context.call``, which inspects the callable each time). The else part is rendered only when
        # the visitor has not allowed the name.
        captured = nodes.Name(f"_consentkit_block_{lineno}_{next(_BLOCKS)}", "store", lineno=lineno)
        capture = nodes.AssignBlock(captured, None, body, lineno=lineno)
        block = nodes.Name(captured.name, "load", lineno=lineno)
        if not else_body:
            return [capture, nodes.Output([self._filter(HELD_FILTER, block, [category], lineno)], lineno=lineno)]
        otherwise = nodes.Name(f"{captured.name}_else", "store", lineno=lineno)
        held = nodes.Output(
            [self._filter(HELD_FILTER, block, [category, nodes.Name(otherwise.name, "load", lineno=lineno)], lineno)],
            lineno=lineno,
        )
        return [
            capture,
            nodes.If(
                self._filter(ALLOWS_FILTER, block, [category], lineno),
                [nodes.Output([block], lineno=lineno)],
                [],
                [nodes.AssignBlock(otherwise, None, else_body, lineno=lineno), held],
                lineno=lineno,
            ),
        ]

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters[HELD_FILTER] = self._held
        environment.filters[ALLOWS_FILTER] = self._allows
        environment.filters[TEXT_FILTER] = self._text
        for helper in DIRECT_HELPERS:
            environment.filters[_helper_filter(helper)] = self._direct_call(helper)

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        """The template's tokens, each ``consentkit.NAME()`` of a helper in ``DIRECT_HELPERS`` written as
        ``(consentkit|_consentkit_NAME)``: the parentheses keep what follows (``.strip()``, ``|safe``)
        applying to the call's result. A sandboxed environment checks every call, so it keeps its calls."""
        if self.environment.sandboxed:
            return stream
        return _direct_calls(list(stream))

    def _direct_call(self, helper: str) -> Callable[..., Any]:
        call = methodcaller(helper)

        @pass_context
        def direct(context: Context, helpers: object) -> Any:
            widgets = helpers if isinstance(helpers, Widgets) else self.helpers_widgets(context, helpers)
            if widgets is not None:
                return call(widgets)
            # Not consentkit's helpers: exactly what the template's call would have done.
            return context.call(context.environment.getattr(helpers, helper))

        return direct

    def helpers_widgets(self, context: Context, helpers: object) -> Widgets | None:
        """The ``Widgets`` behind a ``consentkit`` variable that is not one itself; front doors whose
        ``consentkit`` resolves the request elsewhere override this."""
        return None

    @staticmethod
    def _filter(name: str, node: nodes.Expr, arguments: list[nodes.Expr], lineno: int) -> nodes.Filter:
        return nodes.Filter(node, name, arguments, [], None, None, lineno=lineno)

    def widgets(self, context: Context) -> Widgets | None:
        """The request's helpers; front doors whose templates carry them elsewhere override this."""
        widgets = context.get(HELPERS_NAME)
        return widgets if isinstance(widgets, Widgets) else None

    def _visitor(
        self, context: Context, category: object, widgets: Widgets | None
    ) -> tuple[Widgets | None, Consent | None, str]:
        if widgets is None:
            return None, consent_in(context), _check_name(category)
        # A name this renderer has seen good needs no check (a page asks once per block).
        if type(category) is str and category in widgets.renderer.good_block_names:
            return widgets, widgets.consent, category
        return widgets, widgets.consent, _check_name(category, widgets)

    @pass_context
    def _allows(self, context: Context, body: str, category: object) -> bool:
        _widgets, consent, name = self._visitor(context, category, self.widgets(context))
        return consent is not None and consent.allows(name)

    @pass_context
    def _held(self, context: Context, body: str, category: object, otherwise: str | None = None) -> str:
        """The block as written when the visitor allows the name, else held back (with the else part
        after it, marked so that consentkit.js can remove it once the name is allowed live)."""
        widgets, consent, name = self._visitor(context, category, self.widgets(context))
        if consent is not None and consent.allows(name):
            return body
        held = held_back(body, name, widgets, consent)
        if otherwise is None:
            return held
        return Markup("".join((held, fallback(str(otherwise), name))))  # noqa: S704 (both HTML already)

    @pass_context
    def _text(self, context: Context, body: str, category: object, helpers: object, otherwise: str) -> Markup:
        """``_held`` for a block of template text alone (its else part too, ``""`` for none): kept whole
        per locale and consent state (``gated.text_block``)."""
        widgets = helpers if isinstance(helpers, Widgets) else self.widgets(context)
        if widgets is not None:
            try:
                return text_block(body, category, widgets, otherwise)
            except BlockNameError as problem:
                raise TemplateRuntimeError(str(problem)) from None
        consent, name = consent_in(context), _check_name(category)
        if consent is not None and consent.allows(name):
            return Markup(body)  # noqa: S704 (template text, as Jinja outputs it)
        return held_back(body, name, None, consent, otherwise)


def _helper_filter(helper: str) -> str:
    return f"_consentkit_{helper}"


def _direct_calls(tokens: list[Token]) -> Iterator[Token]:
    """``tokens`` with each ``consentkit.NAME()`` of a direct helper as ``(consentkit|_consentkit_NAME)``;
    ``x.consentkit.head()`` (an attribute of something else) stays as it is."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        call = tokens[index + 1 : index + 5]
        if (
            token.type == TOKEN_NAME
            and token.value == HELPERS_NAME
            and (index == 0 or tokens[index - 1].type != TOKEN_DOT)
            and tuple(part.type for part in call) == _CALL_SHAPE
            and call[1].value in DIRECT_HELPERS
        ):
            line = token.lineno
            yield Token(line, TOKEN_LPAREN, "(")
            yield token
            yield Token(line, TOKEN_PIPE, "|")
            yield Token(line, TOKEN_NAME, _helper_filter(call[1].value))
            yield Token(line, TOKEN_RPAREN, ")")
            index += 5
            continue
        yield token
        index += 1
