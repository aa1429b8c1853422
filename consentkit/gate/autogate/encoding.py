"""Bytes to text and back for the rewriter: the charset, and the response's Content-Encoding.

Any charset whose bytes below 0x80 always mean ASCII (UTF-8, windows-1252,
Shift_JIS, GBK ...) is read as Latin-1: one character per byte, so the bytes
that are not rewritten come out exactly as they went in, and nothing is
decoded for real. Only UTF-16/32 (from a byte order mark or the header) and the
ISO-2022 family, UTF-7 and HZ, where a ``<`` byte may be half of a letter, are
decoded with their own codec.
"""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Any, Final, Protocol

#: HTML5 looks for <meta charset> in the first 1024 bytes.
SNIFF_BYTES: Final = 1024
TRANSPARENT: Final = "latin-1"
_CHARSET_PARAM: Final = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_META: Final = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_BOMS: Final = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_NOT_ASCII_SAFE: Final = ("utf-16", "utf-32", "iso2022", "utf-7", "hz")


def header_charset(content_type: str) -> str | None:
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def sniffed_charset(head: bytes) -> str | None:
    """A byte order mark, else ``<meta charset>`` or ``http-equiv`` in ``head`` (the first 1024 bytes)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    match = _META.search(head[:SNIFF_BYTES])
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    # HTML5: a <meta> that could be read as ASCII cannot really mean UTF-16.
    return "utf-8" if name.lower().startswith(("utf-16", "utf-32")) else name


def text_codec(charset: str | None) -> str:
    """The codec to read the body with: Latin-1 where that keeps every byte, else the charset's own."""
    if not charset:
        return TRANSPARENT
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return TRANSPARENT
    return name if name.startswith(_NOT_ASCII_SAFE) else TRANSPARENT


class Coding(Protocol):
    """A Content-Encoding, both ways, one chunk at a time."""

    def decode(self, data: bytes) -> bytes: ...
    def encode(self, data: bytes) -> bytes: ...
    def finish(self) -> bytes: ...


class _Zlib:
    """gzip and deflate. Each chunk is flushed so that the page still streams."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._decoder: Any = None
        self._encoder = zlib.compressobj(6, zlib.DEFLATED, 31 if gzip else 15)

    def decode(self, data: bytes) -> bytes:
        if self._decoder is None:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._decoder = zlib.decompressobj(31 if self._gzip else (15 if zlib_header else -15))
        return bytes(self._decoder.decompress(data))

    def encode(self, data: bytes) -> bytes:
        return self._encoder.compress(data) + self._encoder.flush(zlib.Z_SYNC_FLUSH) if data else b""

    def finish(self) -> bytes:
        return self._encoder.flush(zlib.Z_FINISH)


class _Brotli:
    def __init__(self, module: Any) -> None:
        self._decoder = module.Decompressor()
        self._encoder = module.Compressor()

    def decode(self, data: bytes) -> bytes:
        return bytes(self._decoder.process(data))

    def encode(self, data: bytes) -> bytes:
        return bytes(self._encoder.process(data) + self._encoder.flush()) if data else b""

    def finish(self) -> bytes:
        return bytes(self._encoder.finish())


def _brotli_module() -> Any:
    try:
        import brotli  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    return brotli


def coding_for(content_encoding: str) -> Coding | None:
    """The coding for a Content-Encoding header value, or None if it cannot be undone here."""
    name = content_encoding.strip().lower()
    if name in ("gzip", "x-gzip", "deflate"):
        return _Zlib(gzip=name != "deflate")
    if name == "br":
        module = _brotli_module()
        return _Brotli(module) if module is not None else None
    return None
