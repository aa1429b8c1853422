"""What a ``{% consent "name" %}`` block renders to, in any template language.

``name`` is a category or a service (a preset key, allowed on its own). The
Jinja extension and the Django template tag both render the block's body
themselves and hand the HTML here, so the held-back form, the placeholders
and the fallback wrapper are the same byte for byte in every front door.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from markupsafe import Markup

from ..categories import ALL_CATEGORIES
from ..config.services import builtin_presets
from ..consent import Consent
from .fragments import Fragment, Html
from .inert import Gate, blocked_frame_hosts, make_inert
from .widgets import Widgets


def name_problem(name: object, widgets: Widgets | None = None) -> str | None:
    """Why ``name`` cannot gate a block (not a category or service, or a service the site did not enable)."""
    if not (isinstance(name, str) and (name in ALL_CATEGORIES or name in builtin_presets())):
        return (
            f"{{% consent {name!r} %}}: not a category or a service; expected one of {', '.join(ALL_CATEGORIES)}, "
            f"or a service such as {', '.join(list(builtin_presets())[:3])}"
        )
    if widgets is not None and name not in ALL_CATEGORIES and name not in widgets.config.service_categories:
        return (
            f"{{% consent {name!r} %}}: the service is not enabled or its category is not offered; "
            f'add [[services]] preset = "{name}" to consentkit.toml'
        )
    return None


def block_name_problem(name: object, widgets: Widgets | None) -> str | None:
    """``name_problem``, answered once per renderer for each name found good (a page asks per block)."""
    if widgets is None:
        return name_problem(name)
    good = widgets.renderer.good_block_names
    if type(name) is str and name in good:
        return None
    problem = name_problem(name, widgets)
    if problem is None:
        good.add(str(name))  # a category or an enabled service: a bounded set
    return problem


def gate_for(name: str, widgets: Widgets | None, consent: Consent | None) -> Gate:
    """How to hold back a block gated on the category or service ``name``."""
    allowed = consent.services if consent else frozenset()
    if widgets is not None:
        config = widgets.config
        if name in ALL_CATEGORIES:
            return Gate(name, service_at=config.service_at, allowed=allowed)
        return Gate(config.service_categories[name], service=name)
    return Gate(name) if name in ALL_CATEGORIES else Gate(builtin_presets()[name].category, service=name)


#: Blocks longer than this are made inert on every render rather than kept.
LONGEST_KEPT: Final = 64 * 1024

#: Blocks of template text kept for one locale and consent state before they start over (``text_block``).
TEXT_BLOCKS_KEPT: Final = 128

#: A held-back block: how it is gated, its inert HTML, the host of each blocked iframe.
HeldBack = tuple[Gate, Markup, tuple[str, ...]]

#: The request values a held-back block's placeholders print.
SLOTS: Final = ("base", "next_path")


def _hold_back(body: str, name: str, widgets: Widgets | None, consent: Consent | None) -> HeldBack:
    gate = gate_for(name, widgets, consent)
    # str(): a Markup's own methods would escape what make_inert puts in; the key may hold either.
    inert = Markup(make_inert(str(body), gate))  # noqa: S704 (the site's own output, see held_back)
    return gate, inert, tuple(blocked_frame_hosts(inert))


def _with_placeholders(held: HeldBack, widgets: Widgets, locale: str, values: Mapping[str, object]) -> str:
    gate, inert, hosts = held
    placeholders = widgets.renderer.placeholders(
        locale=locale, base=str(values["base"]), next_path=str(values["next_path"]), gate=gate, hosts=hosts
    )
    return "".join((placeholders, inert))


def _kept_form(
    body: str, name: str, widgets: Widgets, consent: Consent | None, locale: str, otherwise: str
) -> Markup | Fragment | None:
    """The held-back block and its else part, with markers where the placeholders print the request's
    base and path, or just HTML when it blocks no iframe; None when it must be made on every render
    (a body holding a NUL, which the markers cannot be told from), as a long one is."""
    held = _hold_back(body, name, widgets, consent)
    if not held[2]:
        return _and_fallback(held[1], otherwise, name)
    return Fragment.of(
        lambda values: _and_fallback(_with_placeholders(held, widgets, locale, values), otherwise, name), SLOTS
    )


def _made(body: str, name: str, widgets: Widgets, consent: Consent | None, otherwise: str) -> Markup:
    gate, inert, hosts = _hold_back(body, name, widgets, consent)
    if hosts:
        inert = Markup("".join((widgets.placeholders(gate, list(hosts)), inert)))  # noqa: S704 (see held_back)
    return _and_fallback(inert, otherwise, name)


def _and_fallback(held: str, otherwise: str, name: str) -> Markup:
    """The held-back block followed by its else part (``fallback``), when it has one."""
    # str.join, not Markup +: both are already HTML, and "+" would make and check a Markup per operand.
    return Markup("".join((held, fallback(otherwise, name))) if otherwise else held)  # noqa: S704 (both HTML)


def held_back(body: str, name: str, widgets: Widgets | None, consent: Consent | None, otherwise: str = "") -> Markup:
    """``body`` inert until ``name`` is allowed, each blocked embed behind a placeholder, then
    ``otherwise`` (the block's else part) as ``fallback`` wraps it.

    ``body`` and ``otherwise`` are the site's own rendered template output, already escaped by
    its engine; ``otherwise`` must be the same on every render (template text, or nothing: an
    else part that varies goes through ``fallback`` on each render instead, or each of its
    values would take a place in the cache). Making the body inert depends on nothing but the
    body, the name, the services the visitor allows (for a category's block) and the config,
    and its placeholders on the locale besides, so the result is kept per renderer under
    exactly those and the else part, with markers where the placeholders print the request's
    base and path, which are joined in per call.
    """
    if widgets is None:
        return _and_fallback(_hold_back(body, name, widgets, consent)[1], otherwise, name)
    locale = widgets.locale
    if len(body) > LONGEST_KEPT:
        return _made(body, name, widgets, consent, otherwise)
    allowed = (consent.services if consent else frozenset()) if name in ALL_CATEGORIES else None
    kept = widgets.renderer.held_back.get(
        (body, name, allowed, locale, otherwise), lambda: _kept_form(body, name, widgets, consent, locale, otherwise)
    )
    if kept is None:
        return _made(body, name, widgets, consent, otherwise)
    if isinstance(kept, Fragment):
        return kept.fill_escaped(widgets.escaped_slots)
    return kept


class BlockNameError(ValueError):
    """A ``{% consent %}`` block's name is not a category or an enabled service (``name_problem`` says why)."""


def _text_form(body: str, name: str, widgets: Widgets, otherwise: str) -> Html | Fragment | None:
    """A block of template text as ``text_block`` keeps it for the visitor's locale and consent state;
    None when it must be made on every render (see ``_kept_form``)."""
    consent = widgets.consent
    if consent.allows(name):
        return Html(body)  # the text as the template engine outputs it
    if len(body) > LONGEST_KEPT:
        return None
    form = _kept_form(body, name, widgets, consent, widgets.locale, otherwise)
    return Html(form) if isinstance(form, Markup) else form  # Html: fewer calls each time a template outputs it


def text_block(body: str, name: object, widgets: Widgets, otherwise: str = "") -> Markup:
    """A ``{% consent %}`` block of template text alone, with its else part (``otherwise``, template text
    too, or ``""``), as this request's visitor sees it: as written, or held back (``held_back``).

    Both texts are the same on every render, so what the block renders to depends on the name,
    the config, the locale and the consent alone, besides the request's base and path in its
    placeholders: it is kept per locale and consent state (``Page.text_blocks``), held back
    with markers where the base and path go, and a page's block is one dictionary look-up.
    Raises ``BlockNameError`` for a name that cannot gate a block.
    """
    kept = (widgets.page or widgets.know()).text_blocks
    form = kept.get((body, name, otherwise)) if isinstance(name, str) else None
    if form is None:
        problem = block_name_problem(name, widgets)
        if problem is not None:
            raise BlockNameError(problem)
        name = str(name)
        form = _text_form(body, name, widgets, otherwise)
        if form is None:
            return _made(body, name, widgets, widgets.consent, otherwise)
        if len(kept) >= TEXT_BLOCKS_KEPT:
            kept.clear()  # a site's templates hold few blocks; templates made at run time may hold any number
        kept[body, name, otherwise] = form
    if isinstance(form, Fragment):
        return form.fill_escaped(widgets.escaped_slots)
    return form


def fallback(body: str, name: str) -> Markup:
    """The ``{% else %}`` part between comments that consentkit.js removes once ``name`` is allowed live
    (comments, unlike a wrapper element, are valid anywhere, ``<head>`` included); nothing when it is empty."""
    if not body.strip():
        return Markup("")
    # A category or a preset key (checked by the caller): neither holds "--", so it cannot end the comment.
    # One Markup of the whole: the body is the template's own output, already escaped by its engine.
    return Markup(f"<!--consentkit-fallback {name}-->{body}<!--/consentkit-fallback-->")  # noqa: S704
