"""The fast signature check accepts and rejects exactly what itsdangerous's ``TimestampSigner.unsign`` does,
and the time window reads a written time as ``unsign`` does (the codec's reading in place, which uses both, is
tested in ``test_consent_cookie.py``)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature, TimestampSigner
from itsdangerous.encoding import base64_encode, int_to_bytes

from consentkit.consent import signing_seconds
from consentkit.gate.consent_cookie import ConsentCookieCodec
from consentkit.gate.signature import IN_ORDER, SignatureVerifier, TimeWindow

NOW = 1_790_000_000
MAX_AGE = 86_400
KEYS = [b"k" * 32, b"old-key-" * 4, b"newest-key-" * 3]
SALT = ConsentCookieCodec.salt
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=+/ \x00é"


class ClockedSigner(TimestampSigner):
    """itsdangerous's signer with a clock the test sets, so both sides read the same second."""

    now = NOW

    def get_timestamp(self) -> int:
        return self.now


def signer(keys: list[bytes], now: int = NOW) -> ClockedSigner:
    made = ClockedSigner(keys, salt=SALT, digest_method=hashlib.sha256)
    made.now = now
    return made


def reference(keys: list[bytes], value: str) -> tuple[bytes, int] | None:
    try:
        payload, signed_at = signer(keys).unsign(value, max_age=MAX_AGE, return_timestamp=True)
    except BadSignature:
        return None
    return payload, int(signed_at.timestamp())


def assert_same(keys: list[bytes], value: str) -> None:
    """``unsign`` answers what itsdangerous answers."""
    assert SignatureVerifier(signer(keys), MAX_AGE).unsign(value, NOW) == reference(keys, value)


payloads = st.text(ALPHABET, max_size=40)
signing_keys = st.sampled_from([*KEYS, b"a key the site never had" * 2])
verifying_keys = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True)
ages = st.integers(min_value=-2 * MAX_AGE, max_value=2 * MAX_AGE)


@given(payloads, signing_keys, verifying_keys, ages)
def test_signed_values_rotated_keys_and_ages_match_itsdangerous(
    payload: str, key: bytes, keys: list[bytes], age: int
) -> None:
    value = signer([key], NOW - age).sign(payload).decode("utf-8")
    assert_same(keys, value)


@given(payloads, signing_keys, verifying_keys, st.data())
def test_tampered_values_match_itsdangerous(payload: str, key: bytes, keys: list[bytes], data: st.DataObject) -> None:
    value = signer([key]).sign(payload).decode("utf-8")
    position = data.draw(st.integers(min_value=0, max_value=len(value)), label="position")
    removed = data.draw(st.integers(min_value=0, max_value=3), label="removed")
    inserted = data.draw(st.text(ALPHABET, max_size=3), label="inserted")
    assert_same(keys, value[:position] + inserted + value[position + removed :])


@given(st.text(ALPHABET, max_size=120), verifying_keys)
def test_arbitrary_values_match_itsdangerous(value: str, keys: list[bytes]) -> None:
    assert_same(keys, value)


def test_a_valid_value_is_accepted_and_a_flipped_signature_is_not() -> None:
    value = signer(KEYS).sign("1.1.b.x").decode("ascii")
    assert SignatureVerifier(signer(KEYS), MAX_AGE).unsign(value, NOW) == (b"1.1.b.x", NOW)
    flipped = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert SignatureVerifier(signer(KEYS), MAX_AGE).unsign(flipped, NOW) is None
    assert reference(KEYS, flipped) is None


@given(payloads, verifying_keys, st.sampled_from(["spare bits", "standard alphabet", "padded", "junk inside"]))
def test_a_signature_spelt_otherwise_is_read_as_itsdangerous_reads_it(
    payload: str, keys: list[bytes], how: str
) -> None:
    """The check compares the usual spelling encoded and decodes any other: both must agree with itsdangerous."""
    value = signer(keys[-1:]).sign(payload).decode("utf-8")
    head, _, signature = value.rpartition(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if how == "spare bits":  # 43 characters hold 258 bits: the last one's two lowest are not read
        last = alphabet.index(signature[-1])
        signature = signature[:-1] + alphabet[last ^ 1]
    elif how == "standard alphabet":
        signature = signature.replace("-", "+").replace("_", "/")
    elif how == "padded":
        signature += "="
    else:
        signature = signature[:10] + "!!!!" + signature[10:]  # skipped; four keep the padding as it was
    respelt = f"{head}.{signature}"
    assert reference(keys, respelt) is not None
    assert_same(keys, respelt)


def written_time(signed_at: int) -> bytes:
    """A signing time as itsdangerous writes it."""
    return base64_encode(int_to_bytes(signed_at))


def in_window(window: TimeWindow, stamp: bytes) -> bool:
    return window.oldest <= stamp.translate(IN_ORDER) <= window.newest


@given(
    second=st.integers(min_value=2**24, max_value=2**32 + 2**20),
    fraction=st.sampled_from([0.0, 0.5, 0.999]),
    age=st.integers(min_value=-3, max_value=2 * MAX_AGE) | st.sampled_from([-1, 0, MAX_AGE, MAX_AGE + 1]),
    max_age=st.sampled_from([0, 1, MAX_AGE, 10**12]),
)
def test_the_window_accepts_a_written_time_when_unsign_does(
    second: int, fraction: float, age: int, max_age: int
) -> None:
    """Whole seconds, as unsign counts them (``0 <= int(now) - signed_at <= max_age``), up to 2106 and past it."""
    signed_at = second - age
    stamp = written_time(signed_at)
    if len(stamp) != 6:  # a time after 2106: not read in place
        return
    window = TimeWindow.at(second + fraction, max_age)
    assert window.since <= second + fraction < window.until
    assert in_window(window, stamp) == (0 <= second - signed_at <= max_age)
    assert signing_seconds(stamp) == signed_at


@pytest.mark.parametrize("spare", range(16))
def test_the_window_ignores_the_four_spare_bits_as_decoding_does(spare: int) -> None:
    """The sixth character carries four bits beyond the time; unsign's decoding drops them."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    stamp = written_time(NOW)
    respelt = stamp[:5] + bytes([alphabet[alphabet.index(stamp[5]) | spare]])
    assert in_window(TimeWindow.at(NOW, 0), respelt)
    assert not in_window(TimeWindow.at(NOW + 1, 0), respelt)
    assert not in_window(TimeWindow.at(NOW - 1, 0), respelt)


def test_the_window_is_empty_once_every_valid_time_is_past_2106() -> None:
    late = TimeWindow.at(2**32 + 100.5, 10)
    assert not any(in_window(late, written_time(signed_at)[-6:]) for signed_at in (2**32 - 1, 2**32 - 100))
    assert in_window(TimeWindow.at(2**32 + 5, 10), written_time(2**32 - 1))  # still 6 characters


def test_only_hmac_sha256_signers_are_taken() -> None:
    with pytest.raises(ValueError, match="only HMAC-SHA256 signatures"):
        SignatureVerifier(TimestampSigner(KEYS, salt=SALT), MAX_AGE)  # itsdangerous's default digest is SHA-1
