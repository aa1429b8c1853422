"""The pieces of HTML5's tokenizer the auto-gate needs, as compiled patterns over ``str``.

The rewriter must know, at every ``<``, what an HTML5 browser would make of it:
a tag (whose attributes may hold ``>`` in quotes), a comment (``<!-->`` and
``--!>`` included), a bogus comment (``<!doctype``, ``<?xml``, ``</ x>``, and
``<![CDATA[`` outside SVG/MathML), or plain text. ``STATE_HTML`` walks over
everything that cannot change the tokenizer's state in one call into the regex
engine (bounded by ``endpos`` at the rewriter's next mark, it stops before the
construct that holds the mark); the rewriter handles the rest in Python.
It need not start where the last construct ended: ``state_openers`` finds
where the state may change for more than a tag, and ``data_state_near`` a
point just before one that is surely in the data state, so the markup in
between is never read; ``WHOLE_CONSTRUCT`` then reads a comment, or a script
or raw text element, to its end in one match. Text is matched as decoded
(Latin-1 for any ASCII-compatible charset), so whitespace is HTML's five
characters, never Python's ``\\s``.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product
from typing import Any, Final

import ahocorasick_rs

from ...render.inert import FETCHING

_WS: Final = r"[\t\n\f\r ]"
#: A tag or attribute name runs until whitespace, ``/`` or ``>``.
_NAME_CHAR: Final = r"[^\t\n\f\r />]"

#: Attributes exactly as HTML5 reads them. A quote opens a value only right after ``=``;
#: once ``=`` is seen its value must be complete, so a value cut off by the end of the
#: text makes the whole tag incomplete instead of ending it at a ``>`` inside the quotes.
_VALUE: Final = r"""(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r "'>][^\t\n\f\r >]*+|(?=>))"""
_ATTRIBUTE: Final = rf"(?>[^\t\n\f\r />][^\t\n\f\r />=]*+{_WS}*+(?:={_WS}*+{_VALUE}|(?!=)))"
_ATTRIBUTES: Final = rf"(?:[\t\n\f\r /]++|{_ATTRIBUTE})*+"

START_TAG: Final = re.compile(rf"<([a-zA-Z]{_NAME_CHAR}*+)({_ATTRIBUTES})>")
#: Where a start tag ends, without its parts (a little faster than ``START_TAG``).
START_TAG_END: Final = re.compile(rf"<[a-zA-Z]{_NAME_CHAR}*+{_ATTRIBUTES}>")
END_TAG: Final = re.compile(rf"</([a-zA-Z]{_NAME_CHAR}*+){_ATTRIBUTES}>")
COMMENT: Final = re.compile(r"<!--(?:>|->|(?:[^-]++|-(?!-!?>))*+--!?>)")
#: ``<!...>`` (not a comment), ``<?...>`` and ``</`` + non-letter: comments that end at the first ``>``.
#: ``<![CDATA[`` is one too outside SVG/MathML; inside them it would end at ``]]>``, which is later,
#: so ending it at ``>`` can only make the rewriter look at more markup, never at less.
BOGUS_COMMENT: Final = re.compile(r"<(?:!(?!--)|\?|/(?![a-zA-Z>]))[^>]*+>")
EMPTY_END_TAG: Final = "</>"

#: Elements whose content is text to the tokenizer, until their own end tag.
RAW_TEXT: Final = frozenset({"style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
#: Elements that fetch something when they carry a URL: ``{% consent %}``'s table, so the two never disagree
#: (``image`` is parsed as ``img`` outside SVG; inside it, ``image`` and ``feimage`` fetch their ``href``).
FETCHING_TAGS: Final = frozenset(FETCHING)
FOREIGN_ROOTS: Final = frozenset({"svg", "math"})
#: HTML start tags that end SVG/MathML content (the tree builder's "breakout" list).
BREAKOUT_TAGS: Final = frozenset(
    [
        "b",
        "big",
        "blockquote",
        "body",
        "br",
        "center",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "i",
        "img",
        "li",
        "listing",
        "menu",
        "meta",
        "nobr",
        "ol",
        "p",
        "pre",
        "ruby",
        "s",
        "small",
        "span",
        "strong",
        "strike",
        "sub",
        "sup",
        "table",
        "tt",
        "u",
        "ul",
        "var",
        "font",
    ]
)


def _any_case(names: frozenset[str], *, ended: bool = True) -> str:
    """One of ``names`` in any case (``ended``: and no more of a name after it), as a trie: the regex engine
    tries one branch per letter, not per name.

    (``re.I`` would do the case, but makes the whole pattern slower.)
    """
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def spell(node: dict[str, Any]) -> str:
        branches = [
            (f"[{char}{char.upper()}]" if char.isalpha() else re.escape(char)) + spell(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        pattern = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{pattern})?" if "" in node else pattern

    return f"{spell(trie)}(?!{_NAME_CHAR})" if ended else spell(trie)


def _skip(stop_start: frozenset[str], stop_end: frozenset[str]) -> re.Pattern[str]:
    """Text, comments and tags not named in ``stop_*``, as far as they go (possessive: no backtracking)."""
    not_end = f"(?!{_any_case(stop_end)})" if stop_end else ""
    return re.compile(
        "(?:"
        r"[^<]++"
        rf"|<(?!{_any_case(stop_start)})[a-zA-Z]{_NAME_CHAR}*+{_ATTRIBUTES}>"
        rf"|</{not_end}[a-zA-Z]{_NAME_CHAR}*+{_ATTRIBUTES}>"
        r"|<!--(?:>|->|(?:[^-]++|-(?!-!?>))*+--!?>)"
        r"|<(?:!(?!--)|\?|/(?![a-zA-Z>]))[^>]*+>"
        r"|</>"
        r"|<(?![a-zA-Z!/?])(?=.)"
        ")*+",
        re.S,
    )


#: Start tags after which the tokenizer is no longer in the data state: raw text, script data, plaintext, and
#: SVG/MathML (where other tags end it, and ``<![CDATA[`` opens a section).
STATE_TAGS: Final = RAW_TEXT | FOREIGN_ROOTS | {"script", "plaintext"}
#: In HTML content: stop at whatever changes the tokenizer's state (the rewriter also stops at its marks).
STATE_HTML: Final = _skip(STATE_TAGS, frozenset())
#: In SVG/MathML: raw-text names are ordinary elements there; stop where foreign content may end.
STATE_FOREIGN: Final = _skip(FOREIGN_ROOTS | BREAKOUT_TAGS | {"script"}, FOREIGN_ROOTS | frozenset({"p", "br"}))


def _plain_element(name: str) -> str:
    """The start tag of ``name``, a ``STATE_TAGS`` raw text or script element, and its text up to its end tag,
    where a script's text has no ``<!--`` (after which an end tag may not end it)."""
    spelled = _any_case(frozenset({name}), ended=False)
    end_tag = rf"</{spelled}[\t\n\f\r />]"
    escape = "!--|" if name == "script" else ""
    return rf"<{spelled}(?!{_NAME_CHAR}){_ATTRIBUTES}>(?:[^<]++|<(?!{escape}{end_tag[1:]}))*+(?={end_tag})"


#: A comment, or a script or raw text element whose text is plain to its end tag (``</script`` ...): what the
#: rewriter reads of one with no mark in it, in one match instead of many steps.
WHOLE_CONSTRUCT: Final = re.compile(
    "|".join([COMMENT.pattern, *(_plain_element(name) for name in ["script", *sorted(RAW_TEXT)])])
)

#: Where the data state may end for more than a tag: a comment, or a start tag of ``STATE_TAGS``. ``<!doctype``,
#: ``<?``, ``</ x`` and ``<![CDATA[`` outside SVG/MathML are bogus comments, ended by their first ``>`` as a tag is.
_STATE_OPENER: Final = re.compile(rf"<(?:!--|{_any_case(STATE_TAGS)})")
#: Each ``STATE_TAGS`` name's first three letters (all of ``svg`` and ``xmp``) in every case, and ``<!--``: found
#: in the text as it is (no lower-casing it first, which costs more than the search), each one then checked.
_STATE_OPENER_STARTS: Final = ahocorasick_rs.BytesAhoCorasick(
    [
        b"<!--",
        *{
            ("<" + "".join(letters)).encode("ascii")
            for name in STATE_TAGS
            for letters in product(*((char, char.upper()) for char in name[:3]))
        },
    ],
    matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST,  # lets it use its SIMD prefilter
)
#: How many ``>`` ``data_state_near`` tries before it gives up (each one in a quoted value, or after a quote
#: that may have opened one).
_RESYNC_TRIES: Final = 4
_SPACES: Final = "\t\n\f\r "
_LOOKBACK: Final = 64


def state_openers(text: str) -> list[int]:
    """Where in ``text`` a comment or a ``STATE_TAGS`` start tag begins (ascending), in any case.

    One Aho-Corasick search, many times faster than a walk; characters past Latin-1 (a UTF-16 page) are
    searched as ``?``, one for one.
    """
    return [
        start
        for _, start, _ in _STATE_OPENER_STARTS.find_matches_as_indexes(bytes_to_search(text))
        if _STATE_OPENER.match(text, start)
    ]


def bytes_to_search(text: str) -> bytes:
    """``text`` as bytes for a search of ASCII patterns, one byte a character at the same positions: Latin-1,
    or, for text from a UTF-16 page, ASCII with every other character as ``?`` (the patterns are ASCII)."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("ascii", "replace")


def data_state_near(text: str, pos: int, stop: int) -> int:
    """A point in ``text[pos:stop]`` (or ``pos``) where the tokenizer is surely in the data state, near ``stop``.

    ``text[pos]`` must be in the data state, and ``text[pos:stop]`` hold no ``state_openers``: every ``<``
    there starts a tag or a bogus comment, or is text, so the tokenizer is in the data state, in a tag, or in
    a bogus comment, and a ``>`` ends all three unless it is in a quoted attribute value. It is not when the
    last ``"`` and the last ``'`` before it cannot have opened one: a quote opens a value only after ``=``
    (and whitespace), and a value holds no quote of its own kind. So the walk need not read
    ``text[pos:stop]`` from its start, which is most of the cost of a page with few trackers.
    """
    end = stop
    for _ in range(_RESYNC_TRIES):
        close = text.rfind(">", pos, end)
        if close < 0:
            break
        if not (
            _may_open_value(text, text.rfind('"', pos, close)) or _may_open_value(text, text.rfind("'", pos, close))
        ):
            return close + 1
        end = close
    return pos


def _may_open_value(text: str, quote: int) -> bool:
    """Whether the quote at ``text[quote]`` (none if ``quote`` < 0) may follow ``=`` and whitespace (more
    whitespace than ``_LOOKBACK`` may hide an ``=``: a page cannot make each look read far)."""
    if quote <= 0:
        return False
    before = text[quote - 1]
    if before not in _SPACES:  # nearly always: a value's closing quote, or an opening one right after "="
        return before == "="
    start = max(0, quote - _LOOKBACK)
    stripped = text[start:quote].rstrip(_SPACES)
    return stripped.endswith("=") or (not stripped and start > 0)


@cache
def end_tag_of(name: str) -> re.Pattern[str]:
    """Where the raw text of ``name`` ends: ``</name`` followed by whitespace, ``/`` or ``>``.

    In ASCII case only, as the tokenizer compares names (``re.I`` alone would read ``</ſtyle`` as ``</style``).
    """
    return re.compile(rf"</{re.escape(name)}(?=[\t\n\f\r />])", re.I | re.A)


#: What may follow a tag's name.
NAME_END: Final = frozenset("\t\n\f\r />")


def _script_tag_at(text: str, at: int, closing: bool) -> bool:
    """Whether ``<script`` (``</script`` if ``closing``) starts at ``text[at]``, followed by a name's end."""
    name = at + 2 if closing else at + 1
    if closing and text[at + 1 : at + 2] != "/":  # "<xscript>" is no end tag
        return False
    return text[name : name + 6].lower() == "script" and text[name + 6 : name + 7] in NAME_END and name + 6 < len(text)


class ScriptData:
    """Where a script's text was left off, to be read on in the next text: escaped (after ``<!--``), double
    escaped (after ``<!--<script``), and the point to read on from."""

    __slots__ = ("double", "escaped", "resume")

    def __init__(self) -> None:
        self.escaped = self.double = False
        self.resume = 0


def script_end(text: str, start: int, data: ScriptData | None = None, stop: int | None = None) -> int | None:
    """Where the script whose text begins at ``start`` ends (the ``<`` of its end tag), or None.

    Follows HTML5's script data states: after ``<!--`` a ``<script`` opens a "double
    escaped" part in which ``</script>`` does not end the element, until ``-->``.
    None means the end is not in ``text`` (or is cut off by its end). Only the ``<``
    (and, once escaped, ``-->``) are looked for, with ``str.find``: a script has few.
    With ``data``, the script is read on from the state it holds, only the markup that begins before ``stop``
    is read, and if the end is not there ``data`` is left where to read on, at ``stop`` or past it.
    """
    escaped = double = False
    if data is not None:
        escaped, double = data.escaped, data.double
    limit = len(text) if stop is None else stop
    pos = start
    while True:
        less = text.find("<", pos, limit)
        if escaped:
            dashes = text.find("-->", pos, limit + 2)
            if dashes >= 0 and (less < 0 or dashes < less):
                escaped = double = False
                pos = dashes + 3
                continue
        if less < 0:
            if data is not None:
                data.escaped, data.double, data.resume = escaped, double, max(pos, limit)
            return None
        pos = less + 1
        if text.startswith("<!--", less):
            pos = less + 4
            # "<!-->" and "<!--->" open and close at once.
            if not escaped and text[pos : pos + 1] != ">" and text[pos : pos + 2] != "->":
                escaped = True
        elif _script_tag_at(text, less, closing=True):
            if not double:
                return less
            double = False
            pos = less + 8
        elif escaped and _script_tag_at(text, less, closing=False):
            double = True
            pos = less + 7
