"""A fast check of itsdangerous ``TimestampSigner`` signatures, accepting exactly what ``unsign`` accepts.

itsdangerous stays the format and the signer of record (``dumps`` signs with
it, and the salt and key rotation list are its). Its ``unsign`` derives every
key again and builds a new HMAC on each call, which is most of the cost of a
visitor's first request; here each key is derived once and its keyed HMAC
state is copied per check. The HMAC is RFC 2104's, written out over two
prepared SHA-256 states: ``hmac.new(...).copy()`` goes through OpenSSL's MAC
objects and costs several times as much per check. Only the signature is checked here: what the
payload means is the codec's business (``consent_cookie``).

``signing_time`` is a faster check still, for a value spelt exactly as
itsdangerous writes one today, in place: the signature is compared by encoding
the HMAC as it would be written rather than by decoding the visitor's. It
answers only for that spelling; None from it means "ask ``unsign``", never
"rejected".
"""

from __future__ import annotations

from binascii import a2b_base64, b2a_base64
from hmac import compare_digest
from typing import Any, Final

from itsdangerous import TimestampSigner

__all__ = ["SignatureVerifier"]

_SEP: Final = b"."
#: ``base64.urlsafe_b64decode``'s own translation, applied here without its per-call checks.
_URLSAFE_TO_STANDARD: Final = bytes.maketrans(b"-_", b"+/")
#: ``b"=" * (-len(part) % 4)`` by ``len(part) % 4``.
_PADDING: Final = (b"", b"===", b"==", b"=")
#: The way back, from ``b2a_base64``'s alphabet to the URL-safe one itsdangerous writes.
_STANDARD_TO_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")
#: ``signing_time`` reads HMAC-SHA256 signatures: 32 bytes, 43 characters unpadded (44 with b2a_base64's "=").
_DIGEST_SIZE: Final = 32
#: Big-endian by default since Python 3.11; looked up once, not on each call.
_from_bytes: Final = int.from_bytes


class SignatureVerifier:
    """``signer.unsign(value, max_age=...)`` for one signer, with its keys' HMAC state prepared once.

    The newest key is tried first, as itsdangerous does. The value's parts are
    decoded as itsdangerous decodes them (padding added, then the lenient
    ``urlsafe_b64decode``; a timestamp of at most 8 bytes, big-endian).
    """

    def __init__(self, signer: TimestampSigner) -> None:
        if signer.sep != _SEP:
            raise ValueError(f"only the default separator is supported, got {signer.sep!r}")
        digest_size = signer.digest_method().digest_size
        if digest_size != _DIGEST_SIZE:
            raise ValueError(f"only HMAC-SHA256 signatures ({_DIGEST_SIZE} bytes) are supported, got {digest_size}")
        self._macs = [
            _keyed_states(signer.derive_key(key), signer.digest_method) for key in reversed(signer.secret_keys)
        ]

    def unsign(self, value: str, max_age: int, now: int) -> tuple[bytes, int] | None:
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
            expected = a2b_base64(signature.translate(_URLSAFE_TO_STANDARD) + _PADDING[len(signature) & 3])
            stamp_bytes = a2b_base64(stamp.translate(_URLSAFE_TO_STANDARD) + _PADDING[len(stamp) & 3])
        except ValueError:
            return None
        if len(stamp_bytes) > 8:
            return None  # itsdangerous unpacks it as one unsigned 64-bit integer
        signed_at = int.from_bytes(stamp_bytes)  # big-endian, the default since Python 3.11
        age = now - signed_at
        if age > max_age or age < 0:
            return None
        for inner, outer in self._macs:
            if compare_digest(expected, _hmac(inner, outer, signed)):
                return payload, signed_at
        return None

    def signing_time(self, value: bytes, max_age: int, now: float) -> int | None:
        """The signing time of ``value`` (UTF-8) if it is spelt as itsdangerous writes it and valid; else None.

        The spelling: ``payload.TTTTTT.SSS...S``, the time in 6 characters (every
        second from 2004 to 2106 takes 4 bytes) and the signature in 43, with no
        other "." after the payload. For such a value ``unsign`` would split at the
        same places, decode the same time and accept the same signature, so the
        answer is the same; anything else (another spelling of a valid signature,
        such as a padded one, included), and an invalid value, gets None: the
        caller asks ``unsign``. ``now`` is ``time.time()``. The visitor's bytes
        are decoded only once the signature matched.
        """
        try:
            if value[-44] != 46 or value[-51] != 46:  # 46 is "."
                return None
        except IndexError:  # shorter than 51 bytes; cheaper than a len() on every value
            return None
        signed = value[:-44]
        # As b2a_base64 writes 32 bytes, newline included: newline=False would cost more than the byte.
        signature = value[-43:] + b"=\n"
        for inner, outer in self._macs:
            if compare_digest(b2a_base64(_hmac(inner, outer, signed)).translate(_STANDARD_TO_URLSAFE), signature):
                break
        else:
            return None
        stamp = value[-50:-44]
        if 46 in stamp:
            return None  # unsign would take a shorter time and a longer payload
        signed_at = _from_bytes(a2b_base64(stamp.translate(_URLSAFE_TO_STANDARD) + b"=="))
        # unsign's 0 <= int(now) - signed_at <= max_age, on the float.
        return signed_at if signed_at <= now < signed_at + max_age + 1 else None


def _hmac(inner: Any, outer: Any, message: bytes) -> bytes:
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
