"""A fast check of itsdangerous ``TimestampSigner`` signatures, accepting exactly what ``unsign`` accepts.

itsdangerous stays the format and the signer of record (``dumps`` signs with
it, and the salt and key rotation list are its). Its ``unsign`` derives every
key again and builds a new HMAC on each call, which is most of the cost of a
visitor's first request; here each key is derived once and its keyed HMAC
state is copied per check. The HMAC is RFC 2104's, written out over two
prepared SHA-256 states: ``hmac.new(...).copy()`` goes through OpenSSL's MAC
objects and costs several times as much per check. Only the signature is checked here: what the
payload means is the codec's business (``consent_cookie``).
"""

from __future__ import annotations

import hmac
from binascii import a2b_base64
from typing import Any, Final

from itsdangerous import TimestampSigner

__all__ = ["SignatureVerifier"]

_SEP: Final = b"."
#: ``base64.urlsafe_b64decode``'s own translation, applied here without its per-call checks.
_URLSAFE_TO_STANDARD: Final = bytes.maketrans(b"-_", b"+/")
#: ``b"=" * (-len(part) % 4)`` by ``len(part) % 4``.
_PADDING: Final = (b"", b"===", b"==", b"=")


class SignatureVerifier:
    """``signer.unsign(value, max_age=...)`` for one signer, with its keys' HMAC state prepared once.

    The newest key is tried first, as itsdangerous does. The value's parts are
    decoded as itsdangerous decodes them (padding added, then the lenient
    ``urlsafe_b64decode``; a timestamp of at most 8 bytes, big-endian).
    """

    def __init__(self, signer: TimestampSigner) -> None:
        if signer.sep != _SEP:
            raise ValueError(f"only the default separator is supported, got {signer.sep!r}")
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
            inner_hash = inner.copy()
            inner_hash.update(signed)
            outer_hash = outer.copy()
            outer_hash.update(inner_hash.digest())
            if hmac.compare_digest(expected, outer_hash.digest()):
                return payload, signed_at
        return None


def _keyed_states(key: bytes, digest_method: Any) -> tuple[Any, Any]:
    """The hash states after the inner and the outer padded key of HMAC (RFC 2104), to be copied per message."""
    block_size = digest_method().block_size
    if len(key) > block_size:
        key = digest_method(key).digest()
    key = key.ljust(block_size, b"\0")
    inner = digest_method(bytes(byte ^ 0x36 for byte in key))
    outer = digest_method(bytes(byte ^ 0x5C for byte in key))
    return inner, outer
