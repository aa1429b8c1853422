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
it changes nothing. ``find`` finds the words and the tags' openers with
Aho-Corasick (``ahocorasick_rs``, Rust, SIMD prefilters) in the lower-cased
bytes; each opener's tag is then read to its end.

Most text has no word at all, and reading every tag to its end is most of the
cost of finding that out; ``quiet`` answers it without reading any tag but the
scripts'. One Hyperscan pass over the bytes as they came (``blockscan``, no
lower-casing: the words are matched in any case) looks for the hosts, for a
percent-escape that may stand for a host's character, and notes what needs a
closer look: a ``&`` (is any reference one that may stand for a host's
character?), a tab or newline between two characters a word holds (a URL
drops them: the words are then looked for once more with them deleted), a
byte that may be part of a character IDNA maps to a word's character or to
nothing (is one in a URL's authority?), and each ``<script``, in whose text alone it then looks for the snippet words,
as written (JavaScript's names have a case; a snippet word elsewhere decides
nothing). It gives up (the
caller then uses ``find``) on any of these that holds, on a quote that may
hold a tag open to the end of the text, and on a script that may name a host
when those are marks. Letters such as ``æøå`` cost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

import ahocorasick_rs

from .blockscan import CASELESS, ONCE, STOP, BlockScan, compiled
from .references import may_stand_for_a_host_character
from .tokenizer import FETCHING_TAGS, START_TAG_END, bytes_to_search

#: What can hide a host from the words inside a tag: a character reference, a percent-escape, or a tab or
#: newline (a URL drops them) between two characters a host may hold.
_DISGUISE: Final = re.compile(r"[&%\t\n\r]")
_NOISE: Final = re.compile(r"[\t\n\r]")
_REFERENCE_OR_ESCAPE: Final = re.compile(r"[&%]")
_NOISE_INSIDE: Final = re.compile(r"[^\t\n\f\r \"'=<>/][\t\n\r]++[^\t\n\f\r \"'=<>/]")
#: A URL that may name a host: a scheme's ":", "\\", "//" (tabs and newlines between are dropped), a reference.
MAY_NAME_A_HOST: Final = re.compile(r"[:\\&]|/[\t\n\r]*/")
#: ``quiet_bytes``'s, for text read one byte a character: the same patterns over bytes (all are ASCII).
_MAY_NAME_A_HOST: Final = re.compile(MAY_NAME_A_HOST.pattern.encode("ascii"))
_START_TAG_END: Final = re.compile(START_TAG_END.pattern.encode("ascii"))
SCRIPT_OPENER: Final = "<script"
#: The longest opener: a "<" this close to the end of the text may be the start of one.
OPENER_MAX: Final = max(len("<" + name) for name in FETCHING_TAGS | {"script"})
#: The SIMD prefilter works best on a handful of patterns: with forty, a search is many times slower than
#: four searches of ten (measured with benchmarks/autogate.py).
_GROUP: Final = 10

#: A byte that may be part of a character IDNA maps to one a host word holds or to nothing: in UTF-8 read one byte
#: a character (``encoding.TRANSPARENT``) a lead byte past U+00FF (``ｆ``, the Kelvin sign, ``。``) or the second
#: byte of ``ª``, a soft hyphen, ``²``; in Latin-1 those characters themselves; and NUL, which a URL may hold
#: too. ``æøå`` in UTF-8 are none.
_MAY_MAP: Final = rb"[\x00\xAA\xAD\xB2\xB3\xB9\xBA\xC4-\xFF]"
_URL_NOISE: Final = b"\t\n\r"
#: ``find``'s: a URL's authority (after "//", "\\" or a scheme's ":", tabs and newlines between), up to where it
#: may hold a character that is not ASCII. Its runs exclude what starts one, so a search stays linear in the text
#: (a page of "/////" is no attack).
_AUTHORITY: Final = r"(?:[/\\][\t\n\r]*[/\\]|:[\t\n\r]*[/\\]?)[^/\\?#:\f \"'<>`]*"
_NON_ASCII_IN_AUTHORITY: Final = re.compile(_AUTHORITY + r"[^\x00-\x7f]")
#: ``quiet``'s: a ``_MAY_MAP`` byte in a URL's authority: IDNA may map its character to a host word's or to
#: nothing. A path (``/bilder/fjøs.jpg``) or text (``Blåbær``) is no authority.
_MAPPED_IN_AUTHORITY: Final = _AUTHORITY.encode("ascii") + _MAY_MAP
#: A percent-escape of a letter, digit, "." or "-", or of a byte of a non-ASCII letter (``url_host`` decodes
#: them in a host, after dropping tabs and newlines, and lower-cases the Kelvin sign "%E2%84%AA" to "k").
_MAY_HIDE_A_HOST_CHARACTER: Final = rb"%[\t\n\r]*(?:2[\t\n\r]*[dDeE]|[3-9a-fA-F][\t\n\r]*[0-9a-fA-F])"
#: What ``quiet``'s scan reports to look at closer (ids below ``blockscan.STOP``; the rest end the scan).
_SCRIPT, _REFERENCE, _MAPPED, _NOISE_IN_WORD, _COMMENT = range(5)
_SCRIPT_CLOSER: Final = b"</script"
_EMPTY_SCRIPT_END: Final = _SCRIPT_CLOSER + b">"
_NAME_END: Final = frozenset(b"\t\n\f\r />")
_WHITESPACE: Final = frozenset(b"\t\n\f\r ")
_EQUALS: Final = ord("=")
_EQUALS_OR_WHITESPACE: Final = _WHITESPACE | {_EQUALS}
_QUOTE_MARKS: Final = (b'"', b"'")

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

    def __init__(self, words: Iterable[str], script_words: Iterable[str] = ()) -> None:
        """:param words: marks wherever they are, in any case: hosts, ``srcdoc``.
        :param script_words: marks only in a script's text, as written (the snippet words: JavaScript's names
            have a case): ``quiet`` looks for them in the scripts alone, which halves its scan of other text."""
        script_words = sorted(set(script_words))
        everywhere = fewest(words)
        #: ``find``'s: every word, lower-cased, in groups (it searches the lower-cased text).
        every_word = fewest([*everywhere, *script_words])
        self._words = [_automaton(every_word[start : start + _GROUP]) for start in range(0, len(every_word), _GROUP)]
        self._script_words = (
            compiled(tuple((re.escape(word).encode("ascii"), STOP + n, ONCE) for n, word in enumerate(script_words)))
            if script_words
            else None
        )
        #: ``quiet``'s: the words and escapes end the scan; the rest are looked at closer.
        word_characters = b"[" + re.escape("".join(sorted(set("".join(everywhere))))).encode("ascii") + b"]"
        noise_in_word = word_characters + rb"[\t\n\r]+" + word_characters
        self._quiet = compiled(
            (
                (SCRIPT_OPENER.encode("ascii"), _SCRIPT, CASELESS),
                # Any "&": a literal byte costs the scan far less than "&" with a class after it (2.5 µs of 8 a chunk).
                (b"&", _REFERENCE, ONCE),
                (_MAY_MAP, _MAPPED, ONCE),
                (b"<!--", _COMMENT, ONCE),
                *([(noise_in_word, _NOISE_IN_WORD, CASELESS | ONCE)] if everywhere else []),
                (_MAY_HIDE_A_HOST_CHARACTER, STOP, ONCE),
                *(
                    (re.escape(word).encode("ascii"), STOP + 1 + n, CASELESS | ONCE)
                    for n, word in enumerate(everywhere)
                ),
            )
        )
        self._mapped_in_authority = compiled(((_MAPPED_IN_AUTHORITY, STOP, ONCE),))
        openers = sorted("<" + name for name in FETCHING_TAGS | {"script"})
        self._openers = _automaton(openers)
        self._script = openers.index(SCRIPT_OPENER)

    def find(self, text: str, *, scripts_too: bool) -> tuple[list[int], Scripts]:
        """The marks in ``text`` (positions, ascending), and every ``<script`` opener with its tag's end.

        :param scripts_too: every ``<script`` that may load from another host is a mark (unknown scripts).
        """
        data = bytes_to_search(text)
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
        except UnicodeEncodeError:  # text from a UTF-16 page
            return None
        return self.quiet_bytes(data, scripts_too=scripts_too)

    def quiet_bytes(self, data: bytes, *, scripts_too: bool) -> tuple[Scripts, int] | None:
        """``quiet`` for text read one byte a character, given as its bytes.

        It gives no script when all surely end in the text (the caller need not look for their ends).
        """
        found = self._quiet.matches(data)
        if found is None:
            return None
        scripts: Scripts = []
        if found:  # most pieces of a page have no match at all
            starts = []
            comment = False
            for pattern, end in found:
                if pattern == _SCRIPT:
                    starts.append(end - len(SCRIPT_OPENER))
                elif pattern == _COMMENT:
                    comment = True
                elif (
                    (pattern == _NOISE_IN_WORD and self._quiet.matches(data.translate(None, _URL_NOISE)) is None)
                    or (pattern == _REFERENCE and may_stand_for_a_host_character(data))
                    or (pattern == _MAPPED and self._mapped_in_authority.matches(data) is None)
                ):
                    return None
            if starts and not _scripts_end(data, starts, scripts, comment, scripts_too, self._script_words):
                return None
        last_end = data.rfind(b">")
        # A tag that starts before the last ">" and runs to the end holds that ">" in a quoted value, whose
        # opening quote is the last of its kind before it: a quote opens a value only right after "=". Mostly
        # the byte before that quote is a value's (it closes one), and no more need be read.
        if last_end > 0:
            for quote_mark in _QUOTE_MARKS:
                quote = data.rfind(quote_mark, 0, last_end)
                if quote > 0 and data[quote - 1] in _EQUALS_OR_WHITESPACE and _opens_value(data, quote):
                    return None
        open_from = data.find(b"<", last_end + 1)
        return scripts, len(data) if open_from < 0 else open_from


def _scripts_end(
    data: bytes, starts: list[int], scripts: Scripts, comment: bool, scripts_too: bool, script_words: BlockScan | None
) -> bool:
    """Fill ``scripts`` with each ``<script`` at ``starts`` and its tag's end, or leave it empty when all surely end
    in ``data``; False if one may name a host and those are marks, or if a script's text may hold a script word."""
    if len(starts) > 1:
        starts.sort()
    furthest = 0  # the furthest end of a start tag; -1 once one does not end
    for start in starts:
        tag = _START_TAG_END.match(data, start)
        end = tag.end() if tag else -1
        if scripts_too and end >= 0 and _MAY_NAME_A_HOST.search(data, start, end):
            return False
        # A script's text may hold a snippet word (none to read in the usual <script src=...></script>).
        if script_words is not None and end >= 0 and not data.startswith(_EMPTY_SCRIPT_END, end):
            text_end = len(data) if comment else _script_text_end(data, end)
            if text_end > end and script_words.matches(data[end:text_end]) is None:
                return False
        scripts.append((start, end))
        furthest = -1 if end < 0 or furthest < 0 else max(furthest, end)
    # Without a "<!--" (which may escape an end tag), a script whose start tag ends before a "</script>" ends
    # there or before.
    if not comment and furthest >= 0:
        closer = data.find(_SCRIPT_CLOSER, furthest) + len(_SCRIPT_CLOSER)  # just past its name
        if len(_SCRIPT_CLOSER) <= closer < len(data) and data[closer] in _NAME_END:
            scripts.clear()
    return True


def _script_text_end(data: bytes, start: int) -> int:
    """Where the text of a script from ``data[start]`` surely ends, or after: its first ``</script`` in lower case
    that a name's end follows, else the end of ``data``. (A ``</SCRIPT>`` before it only ends the text sooner, and a
    ``<!--`` in ``data``, which may escape the end tag, is the caller's to weigh.)"""
    at = data.find(_SCRIPT_CLOSER, start)
    while at >= 0:
        after = at + len(_SCRIPT_CLOSER)
        if after < len(data) and data[after] in _NAME_END:
            return at
        at = data.find(_SCRIPT_CLOSER, after)
    return len(data)


def _opens_value(data: bytes, quote: int) -> bool:
    """Whether the quote at ``data[quote]`` may open an attribute's value: "=" before it, whitespace aside."""
    before = quote - 1
    while before >= 0 and data[before] in _WHITESPACE:
        before -= 1
    return before >= 0 and data[before] == _EQUALS


def _disguised(text: str, start: int, end: int) -> bool:
    """Whether the tag ``text[start:end]`` may hide a host from the words."""
    return bool(_REFERENCE_OR_ESCAPE.search(text, start, end) or _NOISE_INSIDE.search(text, start, end))
