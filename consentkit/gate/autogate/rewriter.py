"""``HtmlRewriter``: holds back tracker tags in HTML text as it streams, ``feed(text) -> text``.

Only the start tags the ``Policy`` judges are rewritten, exactly as
``{% consent %}`` renders them (``render/inert.py``); every other character
leaves as it came. Text that may still belong to an unfinished construct (a
tag cut by the chunk boundary, an inline script whose end has not arrived) is
kept back until the next ``feed``, up to ``max_hold`` characters; past that the
rewriter decides on what it has, so a hostile page cannot make it buffer
without bound: a script on its text so far, a tag that long not at all. Either
is still read on to where a browser ends it, so the markup after it is read as
the browser reads it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Final

from ...render.inert import (
    EXECUTABLE_TYPES,
    Attribute,
    Gate,
    inert_fetching_tag,
    inert_script_tag,
    is_self_closing,
    parse_attributes,
)
from .encoding import TRANSPARENT
from .markers import MAY_NAME_A_HOST, OPENER_MAX, SCRIPT_OPENER
from .memo import memoised
from .opentag import OpenTag
from .policy import Policy, Verdict
from .tokenizer import (
    BOGUS_COMMENT,
    BREAKOUT_TAGS,
    COMMENT,
    END_TAG,
    FETCHING_TAGS,
    FOREIGN_ROOTS,
    NAME_END,
    RAW_TEXT,
    START_TAG,
    STATE_FOREIGN,
    STATE_HTML,
    WHOLE_CONSTRUCT,
    ScriptData,
    data_state_near,
    end_tag_of,
    script_end,
    state_openers,
)

MAX_HOLD: Final = 1 << 20
#: Longest text that may be the start of an awaited end (``</noframes`` + one character).
_TAIL: Final = 16
_COMMENT_END: Final = re.compile(r"--!?>")
_TAG_END: Final = re.compile(">")


def _inert_tag(attrs: str, written: str, category: str, service: str | None) -> str:
    """The start tag ``<{written}{attrs}>`` held back as ``{% consent %}`` holds it: under its category, and its
    service when one is known."""
    gate = Gate(category, service=service)
    if written.lower() == "script":
        return inert_script_tag(written, attrs, gate)
    return inert_fetching_tag(written, attrs, gate)


def _read_attributes(attrs: str) -> tuple[Attribute, ...]:
    return tuple(parse_attributes(attrs))


#: Worked out once for each tag a site's pages repeat.
_inert: Final = memoised(_inert_tag)
_attributes: Final = memoised(_read_attributes)

#: ``(category, host, service)`` -> the HTML that stands in for a held-back iframe (service: the one its host
#: belongs to, whose placeholder allows it alone; None: the category's).
Placeholder = Callable[[str, str, str | None], str]
#: Told of every tag held back (or, in report mode, that would be): the verdict and the tag's name.
OnHold = Callable[[Verdict, str], None]


def _is_executable(attributes: Sequence[Attribute]) -> bool:
    script_type = next((value for name, value, _ in attributes if name == "type"), None)
    return (script_type or "").strip().lower() in EXECUTABLE_TYPES


class HtmlRewriter:
    """Feed decoded HTML in any pieces; get back the same HTML with tracker tags held back.

    :param policy: decides which tags wait for which category.
    :param apply: False for report mode: decide and tell ``on_hold``, change nothing.
    :param placeholder: the stand-in put before a held-back iframe.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        apply: bool = True,
        placeholder: Placeholder | None = None,
        on_hold: OnHold | None = None,
        max_hold: int = MAX_HOLD,
    ) -> None:
        self.policy = policy
        self.apply = apply
        self.placeholder = placeholder
        self.on_hold = on_hold
        self.max_hold = max_hold
        self._pending = ""
        self._foreign = 0  # depth of <svg>/<math>
        self._plaintext = False
        #: Inside raw text or an overlong comment: what ends it, and whether the end is kept for the tag loop.
        self._until: re.Pattern[str] | None = None
        self._until_start = False
        #: A tag longer than ``max_hold``, passed undecided, whose ``>`` has not come yet.
        self._open_tag: OpenTag | None = None
        #: Inside a script decided past ``max_hold``: its script data state, read on to its end tag.
        self._script_data: ScriptData | None = None
        #: Replacements made in the text being run: (start, end, new text).
        self._edits: list[tuple[int, int, str]] = []
        self._finder = policy.index.markers
        #: Third-party scripts are reported or blocked: every <script> that may name a host is a mark.
        self._scripts_too = policy.on_unknown is not None or policy.index.block_unknown
        #: Text already sent but not yet walked (it had no mark), and its length.
        self._unread: list[str] = []
        #: Text ``feed_bytes`` sent unread, as it came: decoded into ``_unread`` only when a walk needs it.
        self._unread_bytes: list[bytes] = []
        self._unread_size = 0
        #: The marks of the text being run, ascending.
        self._marks: list[int] = []

    def feed(self, text: str) -> str:
        self._decode_unread()
        buffer = self._pending + text if self._pending else text
        cut = self._quiet_cut(buffer)
        return self._decide(buffer) if cut is None else self._send_unread(buffer, cut)

    def feed_bytes(self, data: bytes) -> bytes:
        """``feed`` for text read one byte a character (``TRANSPARENT``, as ``BodyRewriter`` reads any charset
        whose bytes below 0x80 are ASCII): what has nothing to decide leaves as the bytes it came in, undecoded."""
        if self._pending:
            data = self._pending.encode(TRANSPARENT) + data
        unread = self._unread_size + len(data)
        quiet = self._finder.quiet_bytes(data, scripts_too=self._scripts_too) if unread <= self.max_hold else None
        if quiet is None:
            self._decode_unread()
            return self._decide(data.decode(TRANSPARENT)).encode(TRANSPARENT)
        scripts, cut = quiet
        if scripts:
            cut = min(cut, _settled(data.decode(TRANSPARENT), scripts))
        # Else the cut is where a "<" follows the last ">", if one does: a tag's name cut short by the end is one.
        if cut == len(data):
            self._pending = ""
            self._unread_bytes.append(data)
            self._unread_size = unread
            return data
        sent, self._pending = data[:cut], data[cut:].decode(TRANSPARENT)
        if cut:
            self._unread_bytes.append(sent)
            self._unread_size += cut
        return sent

    def _decode_unread(self) -> None:
        """What ``feed_bytes`` sent unread joins ``_unread`` as text, in order, before anything else does."""
        if self._unread_bytes:
            self._unread.append(b"".join(self._unread_bytes).decode(TRANSPARENT))
            self._unread_bytes = []

    def _quiet_cut(self, buffer: str) -> int | None:
        """If ``buffer`` surely has no mark: how much of it is settled."""
        if self._unread_size + len(buffer) > self.max_hold:
            return None
        quiet = self._finder.quiet(buffer, scripts_too=self._scripts_too)
        if quiet is None:
            return None
        scripts, open_from = quiet
        return min(_settled(buffer, scripts), open_from)

    def _decide(self, buffer: str) -> str:
        """Find the marks in ``buffer`` and walk it if it has any; return what is settled."""
        marks, scripts = self._finder.find(buffer, scripts_too=self._scripts_too)
        if not marks and self._unread_size + len(buffer) <= self.max_hold:
            return self._send_unread(buffer, _settled(buffer, scripts))
        return self._walk(buffer, marks, final=False)

    def _send_unread(self, buffer: str, cut: int) -> str:
        """Nothing to decide: send what no later text can change, unread; walk it when a mark comes."""
        sent = buffer[:cut]
        if cut:
            self._unread.append(sent)
            self._unread_size += cut
        self._pending = buffer[cut:]
        return sent

    def finish(self) -> str:
        buffer, self._pending = self._pending, ""
        if not buffer:  # no mark in nothing
            return ""
        marks, _ = self._finder.find(buffer, scripts_too=self._scripts_too)
        if not marks:
            return buffer
        self._decode_unread()
        return self._walk(buffer, marks, final=True)

    def _walk(self, buffer: str, marks: list[int], *, final: bool) -> str:
        """Walk the unread text (already sent) and ``buffer``; return the part of ``buffer`` that is settled."""
        sent = self._unread_size
        text = buffer
        if sent:
            text = "".join(self._unread) + buffer
            marks = [mark + sent for mark in marks]
            self._unread, self._unread_size = [], 0
        pos = self._run(text, marks, final=final)
        out = self._output(text, sent, pos)
        if final:
            return out + text[max(pos, sent) :]
        if pos < sent:  # still inside a comment or raw text that began in text already sent
            self._unread, self._unread_size = [text[pos:sent]], sent - pos
            pos = sent
        self._pending = text[pos:]
        return out

    def _output(self, text: str, start: int, pos: int) -> str:
        """``text[start:pos]`` with the edits made in it (text before ``start`` has no tag to hold back)."""
        if not self._edits:
            return text[start:pos]
        parts = []
        for edit_start, edit_end, new in self._edits:
            if edit_start >= start:
                parts.append(text[start:edit_start])
                parts.append(new)
                start = edit_end
        parts.append(text[start:pos])
        self._edits = []
        return "".join(parts)

    def _run(self, text: str, marks: list[int], *, final: bool) -> int:
        """Walk ``text``; return how far it is settled (the rest waits for more)."""
        pos, size = 0, len(text)
        self._marks, next_mark = marks, 0
        openers, next_opener = state_openers(text), 0
        while pos < size:
            if self._plaintext:
                return size
            if self._until is not None:
                found = self._until.search(text, pos)
                if found is None:
                    return size if final else max(pos, size - _TAIL)
                pos = found.start() if self._until_start else found.end()
                self._until = None
                continue
            if self._script_data is not None:
                pos = self._read_script(self._script_data, text, pos, final)
                if self._script_data is not None:
                    return pos
                continue
            tag = self._open_tag
            if tag is not None:
                end = tag.read(text, pos)
                if end is None:
                    return size
                self._open_tag = None
                pos = self._tag_ended(tag, text, end)
                continue
            next_mark = bisect_left(marks, pos, next_mark)  # past the marks of the construct just read
            limit = marks[next_mark] if next_mark < len(marks) else size
            # Up to the construct that holds the next mark: ``endpos`` makes the pattern stop before it.
            if self._foreign:
                start, stop, walk = pos, limit, STATE_FOREIGN
            else:  # and the next state opener, from the last point before it surely in the data state
                next_opener = bisect_left(openers, pos, next_opener)
                stop = min(limit, openers[next_opener]) if next_opener < len(openers) else limit
                start, walk = data_state_near(text, pos, stop), STATE_HTML
            skipped = walk.match(text, start, stop)
            pos = skipped.end() if skipped else pos  # it always matches, if only the empty string
            if pos == stop < limit:  # at a state opener: a comment, script or raw text with no mark, in one match
                whole = WHOLE_CONSTRUCT.match(text, pos, limit)
                if whole is not None:
                    pos = whole.end()
                    continue
            if pos >= size:
                return pos
            if text[pos] != "<":  # the mark is in plain text: nothing to decide there
                next_mark += 1
                continue
            step = self._construct(text, pos, final)
            if step is None:  # cut off by the end of the text
                if final:
                    return size
                if size - pos <= self.max_hold:
                    return pos
                step = self._open(text, pos)
            pos = step
        return pos

    def _marked(self, start: int, end: int) -> bool:
        """Whether a mark lies in ``text[start:end]``: if not, the policy would let the construct through."""
        index = bisect_left(self._marks, start)
        return index < len(self._marks) and self._marks[index] < end

    def _construct(self, text: str, pos: int, final: bool) -> int | None:
        """Handle the markup at ``text[pos] == "<"``; return where it ends, or None if cut off."""
        second = text[pos + 1 : pos + 2]
        if second.isalpha() and second.isascii():
            return self._start_tag(text, pos, final)
        if second not in ("!", "/", "?", ""):  # "<<script", "< b": the "<" is text, the rest read as it comes
            return pos + 1
        if second == "/" and text[pos + 2 : pos + 3].isalpha():
            match = END_TAG.match(text, pos)
            if match is None:
                return None
            self._end_tag(match.group(1).lower())
            return match.end()
        if text.startswith("<!--", pos):
            comment = COMMENT.match(text, pos)
            if comment is None and len(text) - pos > self.max_hold:
                self._until, self._until_start = _COMMENT_END, False
                return pos + 4
            return comment.end() if comment else None
        if text.startswith("</>", pos):
            return pos + 3
        bogus = BOGUS_COMMENT.match(text, pos)
        if bogus is None and second and len(text) - pos > self.max_hold:
            self._until, self._until_start = _TAG_END, False
            return pos + 2
        return bogus.end() if bogus else None

    def _start_tag(self, text: str, pos: int, final: bool) -> int | None:
        match = START_TAG.match(text, pos)
        if match is None:
            return None
        written, attrs = match.group(1), match.group(2)
        name = written.lower()
        end = match.end()
        if name == "script":
            return self._script(text, match, final)
        if name in FETCHING_TAGS and self._marked(pos, end):
            self._fetching(match, name)
        return self._entered(text, name, end, attrs)

    def _end_tag(self, name: str) -> None:
        if self._foreign and name in FOREIGN_ROOTS:
            self._foreign -= 1
        elif self._foreign and name in ("p", "br"):
            self._foreign = 0

    def _entered(self, text: str, name: str, end: int, attrs: str | OpenTag) -> int:
        """After the start tag of ``name`` that ends at ``text[end]``: the state the tokenizer is in, and where
        the walk goes on."""
        if self._foreign:
            if name in FOREIGN_ROOTS and not _self_closing(attrs):
                self._foreign += 1
            elif name in BREAKOUT_TAGS and (name != "font" or _font_breaks_out(attrs)):
                self._foreign = 0
            return end
        if name in RAW_TEXT:
            closing = end_tag_of(name).search(text, end)
            if closing is not None:
                return closing.start()
            self._until, self._until_start = end_tag_of(name), True
        elif name in FOREIGN_ROOTS and not _self_closing(attrs):
            self._foreign = 1
        elif name == "plaintext":
            self._plaintext = True
        return end

    def _script(self, text: str, match: re.Match[str], final: bool) -> int | None:
        body_start = match.end()
        if self._foreign:  # an SVG/MathML script's text is markup: decided on up to its end tag, then walked
            closing = end_tag_of("script").search(text, body_start)
            body_end = closing.start() if closing else None
        else:
            body_end = script_end(text, body_start)
        if body_end is None:
            if final:
                body_end = len(text)
            elif len(text) - match.start() <= self.max_hold:
                return None
            else:  # decide on the text so far, then read on to its end only
                body_end = len(text)
                self._script_data = None if self._foreign else ScriptData()
        if self._marked(match.start(), body_end):
            attributes = _attributes(match.group(2))
            verdict = self.policy.script(attributes, text[body_start:body_end]) if _is_executable(attributes) else None
            if verdict is not None:
                self._hold(verdict, "script", match, self._inert(match, verdict))
        if self._foreign:
            return body_start
        if self._script_data is None:
            return body_end
        return self._read_script(self._script_data, text, body_start, final)

    def _read_script(self, data: ScriptData, text: str, pos: int, final: bool) -> int:
        """Read on in a script's text, in the script data state it was left in (after ``<!--<script`` a
        ``</script>`` does not end it); return where its end tag begins, or how far its text is read."""
        size = len(text)
        end = script_end(text, pos, data, None if final else max(pos, size - _TAIL))
        if end is None:
            return size if final else data.resume
        self._script_data = None
        return end

    def _open(self, text: str, pos: int) -> int:
        """A tag at ``text[pos]`` longer than ``max_hold``: it passes undecided, read to its end as a browser
        reads it (read as text, a quoted ``<!--`` would open a comment that hides the tracker after it)."""
        closing = text[pos + 1] == "/"
        self._open_tag = OpenTag(closing)
        return pos + 2 if closing else pos + 1

    def _tag_ended(self, tag: OpenTag, text: str, end: int) -> int:
        if tag.closing:
            self._end_tag(tag.name)
            return end
        if tag.name == "script" and not self._foreign:  # its text is script data, to its end tag
            self._script_data = ScriptData()
            return end
        return self._entered(text, tag.name, end, tag)

    def _fetching(self, match: re.Match[str], name: str) -> None:
        attrs = match.group(2)
        if not MAY_NAME_A_HOST.search(attrs):  # /img/1.jpg and the like: no host, nothing to look up
            return
        attributes = _attributes(attrs)
        verdict = self.policy.fetching(name, attributes)
        if verdict is None:
            return
        new = self._inert(match, verdict)
        if verdict.frame_host and self.placeholder is not None and not _hidden(attributes):
            new = self.placeholder(verdict.category, verdict.frame_host, verdict.service) + new
        self._hold(verdict, name, match, new)

    def _inert(self, match: re.Match[str], verdict: Verdict) -> str:
        return _inert(match.group(2), match.group(1), verdict.category, verdict.service) if self.apply else ""

    def _hold(self, verdict: Verdict, name: str, match: re.Match[str], new: str) -> None:
        if self.on_hold is not None:
            self.on_hold(verdict, name)
        if self.apply:
            self._edits.append((match.start(), match.end(), new))


def _settled(text: str, scripts: list[tuple[int, int]]) -> int:
    """How much of ``text``, which has no mark, no later text can change: up to a tag or script not ended yet.

    A tag cut off by the end of the text was a mark for ``find``, and ``quiet`` says where one may start (the
    caller cuts there too); what is left is a tag name cut short, and an inline script whose end has not come
    (its text may yet name a tracker).
    """
    cut = text.rfind("<", max(0, len(text) - OPENER_MAX + 1))
    cut = len(text) if cut < 0 else cut
    for start, tag_end in scripts:
        if start >= cut:
            break
        if tag_end < 0:  # a mark, so the text is walked instead; kept back should that ever change
            return start
        if text[start + len(SCRIPT_OPENER)] in NAME_END and script_end(text, tag_end) is None:
            return start
    return cut


def _hidden(attributes: Sequence[Attribute]) -> bool:
    """A frame nobody sees (Tag Manager's ``<noscript>`` iframe) needs no placeholder."""
    for name, value, _ in attributes:
        value = (value or "").replace(" ", "").lower()
        if (name in ("width", "height") and value in ("0", "0px")) or (name == "style" and "display:none" in value):
            return True
        if name == "hidden":
            return True
    return False


def _self_closing(attrs: str | OpenTag) -> bool:
    return attrs.self_closing if isinstance(attrs, OpenTag) else is_self_closing(attrs)


def _font_breaks_out(attrs: str | OpenTag) -> bool:
    if isinstance(attrs, OpenTag):
        return attrs.font_attribute
    return any(name in ("color", "face", "size") for name, _, _ in parse_attributes(attrs))
