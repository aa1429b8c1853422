"""The rewriter's pre-filter: where in a piece of HTML a tag may have to be held back.

``HtmlRewriter`` decides only on tags that contain a *mark*; everywhere else
it needs the tokenizer's state and nothing more, and a piece of text without
any mark leaves unread. A mark is one of (case aside):

- a *word*: a host the ``TrackerIndex`` knows (``*.`` dropped) or a snippet
  word of ``snippets.MARKERS``; every host with a category contains one, and so
  does every inline script ``snippet_services`` or ``host_names`` would find;
  ``srcdoc`` is one too (an iframe's inline document is read for both);
- the ``<`` of a fetching or script tag that could hide a host from the words:
  one with a character reference, a percent-escape, or a tab or newline inside
  a name, or a character that is not ASCII in a URL's authority (``url_host``
  decodes and IDNA-maps them as a browser does: ``ｆａｃｅｂｏｏｋ.com``), and
  one whose end is not in the text;
- when third-party scripts are reported or blocked, a ``<script`` whose URL may
  name any host at all (a ``:``, ``\\``, ``//``).

So a tag without a mark is one the ``Policy`` would let through, and skipping
it changes nothing. The words and the tags' openers are found with
Aho-Corasick (``ahocorasick_rs``, Rust, SIMD prefilters) in the lower-cased
bytes; each opener's tag is then read to its end.

Most text has no word at all, and reading every tag to its end is most of the
cost of finding that out; ``quiet`` answers it without reading any tag. It
looks for the words once in the lower-cased text with tabs and newlines
deleted (so a URL's noise cannot split a word), and gives up (the caller then
uses ``find``) on any character reference or percent-escape that could stand
for a host's character, on a character that is not ASCII in a URL's authority,
on a quote that may hold a tag open to the end of the text, and on a script
that may name a host when those are marks. Letters such as ``æøå`` elsewhere
cost one search of the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

import ahocorasick_rs

from .references import may_stand_for_a_host_character
from .tokenizer import FETCHING_TAGS, START_TAG_END

#: What can hide a host from the words inside a tag: a character reference, a percent-escape, or a tab or
#: newline (a URL drops them) between two characters a host may hold.
_DISGUISE: Final = re.compile(r"[&%\t\n\r]")
_NOISE: Final = re.compile(r"[\t\n\r]")
_REFERENCE_OR_ESCAPE: Final = re.compile(r"[&%]")
_NOISE_INSIDE: Final = re.compile(r"[^\t\n\f\r \"'=<>/][\t\n\r]++[^\t\n\f\r \"'=<>/]")
#: A URL that may name a host: a scheme's ":", "\\", "//" (tabs and newlines between are dropped), a reference.
MAY_NAME_A_HOST: Final = re.compile(r"[:\\&]|/[\t\n\r]*/")
SCRIPT_OPENER: Final = "<script"
#: The longest opener: a "<" this close to the end of the text may be the start of one.
OPENER_MAX: Final = max(len("<" + name) for name in FETCHING_TAGS | {"script"})
#: The SIMD prefilter works best on a handful of patterns: with forty, a search is many times slower than
#: four searches of ten (measured with benchmarks/autogate.py).
_GROUP: Final = 10

#: A byte that may be part of a character IDNA maps to one a host word holds or to nothing: in UTF-8 read one byte
#: a character (``encoding.TRANSPARENT``) a lead byte past U+00FF (``ｆ``, the Kelvin sign, ``。``) or the second
#: byte of ``ª``, a soft hyphen, ``²``; in Latin-1 those characters themselves. ``æøå`` in UTF-8 are none.
_MAY_MAP: Final = bytes([0xAA, 0xAD, 0xB2, 0xB3, 0xB9, 0xBA, *range(0xC4, 0x100)])
#: Lower-cases ASCII and turns each ``_MAY_MAP`` byte into a NUL (with tabs and newlines deleted, in the same C
#: loop): ``quiet``'s view of the text.
_LOWER: Final = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _MAY_MAP, b"abcdefghijklmnopqrstuvwxyz" + bytes(len(_MAY_MAP))
)
_URL_NOISE: Final = b"\t\n\r"
#: A URL's authority (after "//", "\\" or a scheme's ":", tabs and newlines between), up to where it may hold a
#: character that is not ASCII: IDNA may map that to a host word's character or to nothing. A path
#: (``/bilder/fjøs.jpg``) or text (``Blåbær``) is no authority. Its runs exclude what starts one, so a search
#: stays linear in the text (a page of "/////" is no attack).
_AUTHORITY: Final = r"(?:[/\\][\t\n\r]*[/\\]|:[\t\n\r]*[/\\]?)[^/\\?#:\f \"'<>`]*"
_NON_ASCII_IN_AUTHORITY: Final = re.compile(_AUTHORITY + r"[^\x00-\x7f]")
#: The same in ``quiet``'s view, one search for each way an authority starts (a literal prefix is fast to find).
_MAPPED_IN_AUTHORITY: Final = tuple(
    re.compile(start + rb"[^/\\?#:\f \"'<>`\x00]*+\x00") for start in (rb"//", rb":[/\\]?", rb"(?:\\[/\\]|/\\)")
)
#: A percent-escape of a letter, digit, "." or "-", or of a byte of a non-ASCII letter (``url_host`` decodes
#: them in a host, and lower-cases the Kelvin sign "%E2%84%AA" to "k").
_MAY_HIDE_A_HOST_CHARACTER: Final = re.compile(rb"%(?:2[dDeE]|[3-9a-fA-F][0-9a-fA-F])")
_SCRIPT_OPENER_ANY_CASE: Final = re.compile(r"<[sS][cC][rR][iI][pP][tT]")
_WHITESPACE: Final = frozenset("\t\n\f\r ")

#: Each ``<script`` opener with the end of its tag (-1: not ended in the text).
Scripts = list[tuple[int, int]]


def fewest(words: Iterable[str]) -> list[str]:
    """The words, lower-cased, without those that contain another (finding the shorter one is enough)."""
    found = {word.lower() for word in words if word}
    return sorted(word for word in found if not any(other != word and other in word for other in found))


def _automaton(patterns: Sequence[str]) -> ahocorasick_rs.BytesAhoCorasick:
    # Leftmost-first lets it use its SIMD prefilter (the default "standard" kind is some 20 times slower).
    encoded = [pattern.encode("ascii") for pattern in patterns]
    return ahocorasick_rs.BytesAhoCorasick(encoded, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST)


class MarkerFinder:
    """Built once per ``TrackerIndex`` from its hosts and the snippet words."""

    def __init__(self, words: Iterable[str]) -> None:
        found = fewest(words)
        self._words = [_automaton(found[start : start + _GROUP]) for start in range(0, len(found), _GROUP)]
        #: ``quiet``'s: the same groups, the first one with ``<script`` too (its pattern 0; it costs nothing there).
        self._quiet = [_automaton([SCRIPT_OPENER, *found[:_GROUP]]), *self._words[1:]]
        self._script_openers = _automaton([SCRIPT_OPENER])
        openers = sorted("<" + name for name in FETCHING_TAGS | {"script"})
        self._openers = _automaton(openers)
        self._script = openers.index(SCRIPT_OPENER)

    def find(self, text: str, *, scripts_too: bool) -> tuple[list[int], Scripts]:
        """The marks in ``text`` (positions, ascending), and every ``<script`` opener with its tag's end.

        :param scripts_too: every ``<script`` that may load from another host is a mark (unknown scripts).
        """
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:  # text from a UTF-16 page: the words are ASCII, the rest may be anything
            data = text.encode("ascii", "replace")
        lower = data.lower()
        marks = [start for automaton in self._words for _, start, _ in automaton.find_matches_as_indexes(lower)]
        # Without a "&" or "%" anywhere, only a tab or newline can disguise a host.
        suspect = _DISGUISE if b"&" in data or b"%" in data else _NOISE
        # Only text that is not ASCII may hold a host IDNA maps (``isascii`` is a flag, not a scan).
        foreign = None if text.isascii() else _NON_ASCII_IN_AUTHORITY
        scripts: Scripts = []
        for pattern, start, _ in self._openers.find_matches_as_indexes(lower):
            tag = START_TAG_END.match(text, start)
            end = tag.end() if tag else -1
            if pattern == self._script:
                scripts.append((start, end))
                if end >= 0 and scripts_too and MAY_NAME_A_HOST.search(text, start, end):
                    marks.append(start)
                    continue
            if (
                end < 0
                or (suspect.search(text, start, end) and _disguised(text, start, end))
                or (foreign is not None and foreign.search(text, start, end))
            ):
                marks.append(start)
        marks.sort()
        return marks, scripts

    def quiet(self, text: str, *, scripts_too: bool) -> tuple[Scripts, int] | None:
        """If ``text`` surely has no mark: every ``<script`` opener with its tag's end, and where a tag that
        may not end in the text starts (``len(text)`` if none may); None if it may have one (ask ``find``).

        Cheaper than ``find`` when the text holds many tags: no tag is read but the scripts.
        """
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return None
        squeezed = data.translate(_LOWER, _URL_NOISE)
        first, *others = self._quiet
        found = first.find_matches_as_indexes(squeezed)
        if any(pattern for pattern, _, _ in found) or any(group.find_matches_as_indexes(squeezed) for group in others):
            return None
        if (
            (b"&" in data and may_stand_for_a_host_character(data))
            or (b"%" in data and _MAY_HIDE_A_HOST_CHARACTER.search(data))
            or (b"\x00" in squeezed and _mapped_in_authority(squeezed))
        ):
            return None
        last_end = text.rfind(">")
        # A tag that starts before the last ">" and runs to the end holds that ">" in a quoted value, whose
        # opening quote is the last of its kind before it: a quote opens a value only right after "=".
        if last_end > 0 and _quote_may_hold_open(text, last_end):
            return None
        scripts: Scripts = []
        for start in self._script_starts(text, data, len(found)):  # no word: every match is a "<script"
            tag = START_TAG_END.match(text, start)
            end = tag.end() if tag else -1
            if scripts_too and end >= 0 and MAY_NAME_A_HOST.search(text, start, end):
                return None
            scripts.append((start, end))
        open_from = text.find("<", last_end + 1)
        return scripts, len(text) if open_from < 0 else open_from

    def _script_starts(self, text: str, data: bytes, at_most: int) -> list[int]:
        """Where ``<script`` starts in ``text`` (``data``, its bytes), in any case; the lower-cased text with
        tabs and newlines deleted holds ``at_most`` (none hide in a real one, but they may make one)."""
        if not at_most:
            return []
        found = [start for _, start, _ in self._script_openers.find_matches_as_indexes(data)]
        if len(found) == at_most:  # all in lower case, as nearly always: the SIMD search beats a pattern
            return found
        return [opener.start() for opener in _SCRIPT_OPENER_ANY_CASE.finditer(text)]


def _mapped_in_authority(squeezed: bytes) -> bool:
    """Whether a ``_MAY_MAP`` byte (a NUL in ``quiet``'s view) may be in a URL's authority."""
    slashes, colon, backslash = _MAPPED_IN_AUTHORITY
    return bool(
        slashes.search(squeezed) or colon.search(squeezed) or (b"\\" in squeezed and backslash.search(squeezed))
    )


def _quote_may_hold_open(text: str, last_end: int) -> bool:
    """Whether the last ``"`` or ``'`` before ``text[last_end]`` may open an attribute's value."""
    return _opens_value(text, text.rfind('"', 0, last_end)) or _opens_value(text, text.rfind("'", 0, last_end))


def _opens_value(text: str, at: int) -> bool:
    """Whether the quote at ``text[at]`` (none if ``at`` < 0) may open an attribute's value: "=" before it."""
    before = at - 1
    while before >= 0 and text[before] in _WHITESPACE:
        before -= 1
    return at >= 0 and before >= 0 and text[before] == "="


def _disguised(text: str, start: int, end: int) -> bool:
    """Whether the tag ``text[start:end]`` may hide a host from the words."""
    return bool(_REFERENCE_OR_ESCAPE.search(text, start, end) or _NOISE_INSIDE.search(text, start, end))
