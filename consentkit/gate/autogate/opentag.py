"""``OpenTag``: a tag longer than the rewriter may hold, read to its end as HTML5's tokenizer reads it.

Past ``max_hold`` the rewriter lets such a tag pass undecided, but it must still know where the tag ends:
reading the rest as text would take a ``<!--`` or ``<style>`` inside a quoted value for markup, and the
tracker after the tag for part of a comment. The tag may span any number of chunks, so its state is kept
between them: one of the tokenizer's attribute states, each left with one search.
"""

from __future__ import annotations

import re
from typing import Final

_NAME_RUN: Final = re.compile(r"[^\t\n\f\r />]*+")
_ATTRIBUTE_NAME_RUN: Final = re.compile(r"[^\t\n\f\r />=]*+")
_SPACES_RUN: Final = re.compile(r"[\t\n\f\r ]*+")
_UNQUOTED_RUN: Final = re.compile(r"[^\t\n\f\r >]*+")

TAG_NAME: Final = "tag name"
BEFORE_NAME: Final = "before attribute name"
NAME: Final = "attribute name"
AFTER_NAME: Final = "after attribute name"
BEFORE_VALUE: Final = "before attribute value"
DOUBLE_QUOTED: Final = '"'
SINGLE_QUOTED: Final = "'"
UNQUOTED: Final = "unquoted value"
SELF_CLOSING: Final = "self-closing"

#: Attributes with which ``<font>`` ends SVG/MathML content.
_FONT_BREAKOUT: Final = frozenset({"color", "face", "size"})
#: Longer names matter to no one: a tag's name and an attribute's are kept up to this length.
_NAME_KEPT: Final = 16


def _past(run: re.Pattern[str], text: str, pos: int) -> int:
    """Where ``run`` (which matches anywhere, if only the empty string) ends, read from ``text[pos]``."""
    found = run.match(text, pos)
    return found.end() if found else pos


class OpenTag:
    """A start or end tag whose ``>`` has not come yet; ``read`` it on from where the last text ended."""

    def __init__(self, closing: bool) -> None:
        self.closing = closing
        self.name = ""
        self.self_closing = False
        #: An attribute named color, face or size (which makes ``<font>`` end SVG/MathML content).
        self.font_attribute = False
        self._state = TAG_NAME
        self._attribute = ""

    def read(self, text: str, pos: int) -> int | None:
        """Where in ``text`` (from ``pos``) the tag ends, after its ``>``; None if it goes on past the text."""
        size = len(text)
        while pos < size:
            state = self._state
            if state == TAG_NAME:
                end = _past(_NAME_RUN, text, pos)
                self.name = (self.name + text[pos:end].lower())[:_NAME_KEPT]
                pos, self._state = end, BEFORE_NAME
                if end == size:
                    self._state = TAG_NAME
                    return None
                if text[end] != ">":
                    pos += text[end] != "/"  # a "/" is read in its own state
                    continue
            elif state == BEFORE_NAME:
                pos = _past(_SPACES_RUN, text, pos)
                if pos == size:
                    return None
                char = text[pos]
                if char == "/":
                    pos, self._state = pos + 1, SELF_CLOSING
                    continue
                if char != ">":  # a name begins, even with "=" or a quote
                    self._attribute, pos, self._state = char.lower(), pos + 1, NAME
                    continue
            elif state == SELF_CLOSING:
                if text[pos] != ">":
                    self._state = BEFORE_NAME
                    continue
                self.self_closing = True
            elif state == NAME:
                end = _past(_ATTRIBUTE_NAME_RUN, text, pos)
                self._attribute = (self._attribute + text[pos:end].lower())[:_NAME_KEPT]
                pos = end
                if pos == size:
                    return None
                self.font_attribute |= self._attribute in _FONT_BREAKOUT
                char = text[pos]
                if char == "=":
                    pos, self._state = pos + 1, BEFORE_VALUE
                    continue
                if char != ">":
                    self._state = AFTER_NAME if char != "/" else BEFORE_NAME
                    continue
            elif state == AFTER_NAME:
                pos = _past(_SPACES_RUN, text, pos)
                if pos == size:
                    return None
                char = text[pos]
                if char == "=":
                    pos, self._state = pos + 1, BEFORE_VALUE
                    continue
                if char != ">":
                    self._state = BEFORE_NAME
                    continue
            elif state == BEFORE_VALUE:
                pos = _past(_SPACES_RUN, text, pos)
                if pos == size:
                    return None
                char = text[pos]
                if char in "\"'":
                    pos, self._state = pos + 1, char
                    continue
                if char != ">":
                    self._state = UNQUOTED
                    continue
            elif state in (DOUBLE_QUOTED, SINGLE_QUOTED):
                close = text.find(state, pos)
                if close < 0:
                    return None
                pos, self._state = close + 1, BEFORE_NAME  # "a"b is read as if a space came between
                continue
            else:  # UNQUOTED
                pos = _past(_UNQUOTED_RUN, text, pos)
                if pos == size:
                    return None
                if text[pos] != ">":
                    self._state = BEFORE_NAME
                    continue
            return pos + 1  # at the ">" that ends the tag
        return None
