"""``BodyRewriter``: an HTML response body in, the same body with tracker tags held back out.

Bytes in, bytes out, one chunk at a time: it undoes the Content-Encoding,
reads the charset (the header's, else a byte order mark or ``<meta charset>``
in the first 1024 bytes), lets ``HtmlRewriter`` do the work and encodes the
result again. A charset whose bytes below 0x80 are ASCII needs no codec: its
bytes go to ``HtmlRewriter.feed_bytes`` as they are, and come back as the same
bytes while there is nothing to decide. Any front door can use it:
``feed(chunk) -> bytes`` for each piece of the body, then ``finish() -> bytes``
once.
"""

from __future__ import annotations

import codecs
from typing import Any

from .encoding import SNIFF_BYTES, TRANSPARENT, Coding, sniffed_charset, text_codec
from .rewriter import HtmlRewriter

#: The decoder of a charset read as ``TRANSPARENT``: none, ``HtmlRewriter.feed_bytes`` takes the bytes.
_BYTES_ARE_CHARACTERS: Any = object()


class BodyRewriter:
    """Rewrite a body as it streams.

    :param rewriter: works on the decoded text.
    :param charset: from the Content-Type header, if it names one.
    :param coding: undoes and redoes the Content-Encoding, if any.
    :param apply: False (report mode): every chunk leaves unchanged; the rewriter only looks.
    """

    def __init__(
        self, rewriter: HtmlRewriter, *, charset: str | None = None, coding: Coding | None = None, apply: bool = True
    ) -> None:
        self.rewriter = rewriter
        self.apply = apply
        self._coding = coding
        self._charset = charset
        self._head: bytes | None = None if charset else b""  # kept back until the charset is known
        self._decoder: Any = None
        self._encoder: Any = None
        #: No Content-Encoding, and a charset read one byte a character: chunks go to ``feed_bytes`` as they are.
        self._bytes_only = False

    def feed(self, chunk: bytes) -> bytes:
        if self._bytes_only:
            out = self.rewriter.feed_bytes(chunk)
            return out if self.apply else chunk
        data = self._coding.decode(chunk) if self._coding else chunk
        out = self._rewrite(data, final=False)
        return out if self.apply else chunk

    def finish(self) -> bytes:
        if self._bytes_only:  # nothing kept back but the rewriter's pending text (read in report mode too)
            out = self.rewriter.finish().encode(TRANSPARENT)
            return out if self.apply else b""
        out = self._rewrite(b"", final=True)
        if self._coding is not None:
            out = self._coding.encode(out) + self._coding.finish() if self.apply else b""
        return out if self.apply else b""

    def _rewrite(self, data: bytes, *, final: bool) -> bytes:
        if self._head is not None:
            self._head += data
            if len(self._head) < SNIFF_BYTES and not final:
                return b""
            data, self._head = self._head, None
            self._charset = sniffed_charset(data)
        if self._decoder is None:
            self._start_codec()
        if self._decoder is _BYTES_ARE_CHARACTERS:  # no codec at all: the rewriter reads the bytes
            out = self.rewriter.feed_bytes(data)
            if final:
                out += self.rewriter.finish().encode(TRANSPARENT)
        else:
            text = self._decoder(data, final)
            rewritten = self.rewriter.feed(text)
            if final:
                rewritten += self.rewriter.finish()
            out = self._encoder(rewritten, final)
        return self._coding.encode(out) if self._coding is not None and not final else out

    def _start_codec(self) -> None:
        name = text_codec(self._charset)
        if name == TRANSPARENT:
            self._decoder = _BYTES_ARE_CHARACTERS
            self._bytes_only = self._coding is None
            return
        # surrogatepass/surrogateescape keep malformed input as it was, byte for byte where the codec can.
        decoder = codecs.getincrementaldecoder(name)(errors="surrogatepass")
        encoder = codecs.getincrementalencoder(name)(errors="surrogatepass")
        self._decoder = decoder.decode
        self._encoder = encoder.encode
