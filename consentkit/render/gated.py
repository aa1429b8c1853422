"""What a ``{% consent "category" %}`` block renders to, in any template language.

The Jinja extension and the Django template tag both render the block's body
themselves and hand the HTML here, so the held-back form, the placeholders
and the fallback wrapper are the same byte for byte in every front door.
"""

from __future__ import annotations

from markupsafe import Markup

from ..categories import ALL_CATEGORIES
from .inert import blocked_frame_hosts, make_inert
from .widgets import Widgets


def category_problem(category: object) -> str | None:
    """Why ``category`` cannot gate a block, or None if it can."""
    if isinstance(category, str) and category in ALL_CATEGORIES:
        return None
    return f"{{% consent {category!r} %}}: not a category; expected one of {', '.join(ALL_CATEGORIES)}"


def held_back(body: str, category: str, widgets: Widgets | None) -> Markup:
    """``body`` inert until ``category`` is granted, each blocked embed behind a placeholder.

    ``body`` is the site's own rendered template output, already escaped by its engine.
    """
    inert = Markup(make_inert(body, category))  # noqa: S704 (see above)
    if widgets is None:
        return inert
    return widgets.placeholders(category, blocked_frame_hosts(inert)) + inert


def fallback(body: str, category: str) -> Markup:
    """The ``{% else %}`` part between comments that consentkit.js removes once the category is allowed live
    (comments, unlike a wrapper element, are valid anywhere, ``<head>`` included); nothing when it is empty."""
    if not body.strip():
        return Markup("")
    # The category is one of ALL_CATEGORIES (checked by the caller), so it cannot end the comment.
    opening = Markup(f"<!--consentkit-fallback {category}-->")  # noqa: S704
    return opening + Markup(body) + Markup("<!--/consentkit-fallback-->")  # noqa: S704 (the template's own output)
