"""The fast signature check accepts and rejects exactly what itsdangerous's ``TimestampSigner.unsign`` does."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import BadSignature, TimestampSigner

from consentkit.gate.consent_cookie import ConsentCookieCodec
from consentkit.gate.signature import SignatureVerifier

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
    """``unsign`` answers what itsdangerous answers; ``signing_time`` answers the same or leaves it to unsign."""
    verifier = SignatureVerifier(signer(keys))
    expected = reference(keys, value)
    assert verifier.unsign(value, MAX_AGE, NOW) == expected
    # A fraction of a second later: unsign counts whole seconds (int(time.time())), so nothing changes.
    in_place = verifier.signing_time(value.encode(), MAX_AGE, NOW + 0.999)
    assert in_place is None or (expected is not None and in_place == expected[1])


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
    if key in keys and 0 <= age <= MAX_AGE:  # as itsdangerous writes it today: read in place
        assert SignatureVerifier(signer(keys)).signing_time(value.encode(), MAX_AGE, NOW + 0.5) == NOW - age


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
    assert SignatureVerifier(signer(KEYS)).unsign(value, MAX_AGE, NOW) == (b"1.1.b.x", NOW)
    flipped = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert SignatureVerifier(signer(KEYS)).unsign(flipped, MAX_AGE, NOW) is None
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
    if respelt != value:  # a signature without "-" or "_" reads the same in both alphabets
        assert SignatureVerifier(signer(keys)).signing_time(respelt.encode(), MAX_AGE, NOW) is None  # unsign's


@pytest.mark.parametrize("age", [-1, 0, MAX_AGE, MAX_AGE + 1])
@pytest.mark.parametrize("fraction", [0.0, 0.999])
def test_the_in_place_check_counts_whole_seconds_as_unsign_does(age: int, fraction: float) -> None:
    value = signer(KEYS, NOW - age).sign("x").decode("ascii")
    verifier = SignatureVerifier(signer(KEYS))
    expected = NOW - age if 0 <= age <= MAX_AGE else None
    assert verifier.signing_time(value.encode(), MAX_AGE, NOW + fraction) == expected
    assert verifier.unsign(value, MAX_AGE, NOW) == (None if expected is None else (b"x", expected))


@pytest.mark.parametrize(
    ("signed_at", "payload", "time_and_around"),
    [
        # A clock at 1970 writes a shorter time: the 6 places before the signature then hold a ".".
        pytest.param(1_000, "p.ab", ".ab.A-g.", id="a-time-with-a-dot-in-its-places"),
        # Five bytes of time take 7 characters: the 6 places before the signature hold only part of it.
        pytest.param(2**32 + 5, "p", "AQAAAAU.", id="a-time-after-2106"),
    ],
)
def test_the_in_place_check_leaves_another_length_of_time_to_unsign(
    signed_at: int, payload: str, time_and_around: str
) -> None:
    value = signer(KEYS, signed_at).sign(payload).decode("ascii")
    assert value[-51:-43] == time_and_around  # the 8 places of ".TTTTTT." in the layout dumps writes
    verifier = SignatureVerifier(signer(KEYS, signed_at))
    assert verifier.signing_time(value.encode(), 10**12, float(signed_at)) is None
    assert verifier.unsign(value, 10**12, signed_at) == (payload.encode(), signed_at)


def test_only_hmac_sha256_signers_are_taken() -> None:
    with pytest.raises(ValueError, match="only HMAC-SHA256 signatures"):
        SignatureVerifier(TimestampSigner(KEYS, salt=SALT))  # itsdangerous's default digest is SHA-1
