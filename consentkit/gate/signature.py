"""A fast check of itsdangerous ``TimestampSigner`` signatures, accepting exactly what ``unsign`` accepts.

itsdangerous stays the format and the signer of record (``dumps`` signs with
it, and the salt and key rotation list are its). Its ``unsign`` derives every
key again and builds a new HMAC on each call, which is most of the cost of a
visitor's first request; here each key is derived once and its keyed HMAC
state is copied per check. The HMAC is RFC 2104's, written out over two
prepared SHA-256 states: ``hmac.new(...).copy()`` goes through OpenSSL's MAC
objects and costs several times as much per check. Only the signature is checked here: what the
payload means is the codec's business (``consent_cookie``).

A visitor's first request reads the consent cookie in the layout it is written
in, in one function (``ConsentCookieCodec._verify``), from the pieces kept
here: the keys' prepared states (``key_states``, ``keyed_hmac``) and the times
valid during the current second (``TimeWindow``), against which a time is
compared as it is written, without decoding it.
"""

from __future__ import annotations

from binascii import a2b_base64
from hmac import compare_digest
from typing import Any, Final, NamedTuple

from itsdangerous import TimestampSigner

from ..consent import BASE64_PADDING, URLSAFE_ALPHABET, URLSAFE_TO_STANDARD

__all__ = ["IN_ORDER", "SignatureVerifier", "TimeWindow", "keyed_hmac"]

_SEP: Final = b"."
#: HMAC-SHA256 signatures only: 32 bytes, 43 characters unpadded.
_DIGEST_SIZE: Final = 32
#: Each character of URL-safe base64 to its value (0 to 63), any other byte to 255: a 6-character time
#: translated by this compares, as bytes, the way its number does (six places of 6 bits, the most
#: significant first).
IN_ORDER: Final = bytes(URLSAFE_ALPHABET.index(byte) if byte in URLSAFE_ALPHABET else 255 for byte in range(256))
#: Six characters hold 36 bits: 32 of time (every second from mid-1970 to 2106) and 4 left over,
#: which decoding drops.
STAMP_PLACES: Final = 6
_SPARE_BITS: Final = 4
_STAMP_LIMIT: Final = 1 << (STAMP_PLACES * 6)


class SignatureVerifier:
    """``signer.unsign(value, max_age=...)`` for one signer, with its keys' HMAC state prepared once.

    The newest key is tried first, as itsdangerous does. The value's parts are
    decoded as itsdangerous decodes them (padding added, then the lenient
    ``urlsafe_b64decode``; a timestamp of at most 8 bytes, big-endian).
    """

    def __init__(self, signer: TimestampSigner, max_age: int) -> None:
        if signer.sep != _SEP:
            raise ValueError(f"only the default separator is supported, got {signer.sep!r}")
        digest_size = signer.digest_method().digest_size
        if digest_size != _DIGEST_SIZE:
            raise ValueError(f"only HMAC-SHA256 signatures ({_DIGEST_SIZE} bytes) are supported, got {digest_size}")
        #: Each key's HMAC states (``keyed_hmac``), the newest first, as itsdangerous tries them.
        self.key_states = [
            _keyed_states(signer.derive_key(key), signer.digest_method) for key in reversed(signer.secret_keys)
        ]
        self.max_age = max_age

    def unsign(self, value: str, now: int) -> tuple[bytes, int] | None:
        """The payload and its signing time (Unix seconds), or None where ``unsign`` would raise.

        ``now`` is ``int(time.time())``, passed in so that a caller (and a test) decides the clock.
        Every check must pass, so their order changes nothing but the cost: the
        HMAC comes last, and an expired or malformed value never pays for it.
        """
        signed, _, signature = value.encode().rpartition(_SEP)  # UTF-8, as itsdangerous encodes a str
        payload, sep, stamp = signed.rpartition(_SEP)
        if not sep:
            return None
        # itsdangerous's base64_decode: padded, then urlsafe_b64decode, which is this translation and
        # a2b_base64 in non-strict mode (a binascii.Error is a ValueError). Written out twice: here a
        # function call costs as much as a decode.
        try:
            expected = a2b_base64(signature.translate(URLSAFE_TO_STANDARD) + BASE64_PADDING[len(signature) & 3])
            stamp_bytes = a2b_base64(stamp.translate(URLSAFE_TO_STANDARD) + BASE64_PADDING[len(stamp) & 3])
        except ValueError:
            return None
        if len(stamp_bytes) > 8:
            return None  # itsdangerous unpacks it as one unsigned 64-bit integer
        signed_at = int.from_bytes(stamp_bytes)  # big-endian, the default since Python 3.11
        age = now - signed_at
        if age > self.max_age or age < 0:
            return None
        for inner, outer in self.key_states:
            if compare_digest(expected, keyed_hmac(inner, outer, signed)):
                return payload, signed_at
        return None


class TimeWindow(NamedTuple):
    """The times ``unsign`` accepts during one second (``0 <= int(now) - signed_at <= max_age``), as bounds
    on a 6-character time translated by ``IN_ORDER``: such a time is valid when it lies between them."""

    #: The second these bounds hold for: ``since <= now < until``.
    since: float
    until: float
    #: The earliest and the latest valid time, with the spare bits as low and as high as they go.
    oldest: bytes
    newest: bytes

    @classmethod
    def at(cls, now: float, max_age: int) -> TimeWindow:
        second = int(now)
        earliest = max(second - max_age, 0) << _SPARE_BITS
        latest = min((second << _SPARE_BITS) | ((1 << _SPARE_BITS) - 1), _STAMP_LIMIT - 1)
        return cls(second, second + 1, _places(earliest), _places(latest))


def _places(number: int) -> bytes:
    """``number`` in six base-64 places, each a byte from 0 to 63, the most significant first; past six
    places, a value greater than every six-place one (no 6-character time is that late)."""
    if number >= _STAMP_LIMIT:
        return bytes([64] * STAMP_PLACES)
    return bytes((number >> (6 * place)) & 63 for place in reversed(range(STAMP_PLACES)))


def keyed_hmac(inner: Any, outer: Any, message: bytes) -> bytes:
    """HMAC (RFC 2104) of ``message`` from a key's prepared states (``_keyed_states``), which stay as they were."""
    inner_hash = inner.copy()
    inner_hash.update(message)
    outer_hash = outer.copy()
    outer_hash.update(inner_hash.digest())
    return outer_hash.digest()  # type: ignore[no-any-return]


def _keyed_states(key: bytes, digest_method: Any) -> tuple[Any, Any]:
    """The hash states after the inner and the outer padded key of HMAC (RFC 2104), to be copied per message."""
    block_size = digest_method().block_size
    if len(key) > block_size:
        key = digest_method(key).digest()
    key = key.ljust(block_size, b"\0")
    inner = digest_method(bytes(byte ^ 0x36 for byte in key))
    outer = digest_method(bytes(byte ^ 0x5C for byte in key))
    return inner, outer
