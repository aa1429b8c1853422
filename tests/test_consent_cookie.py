"""The signed consent cookie: round trips exactly; anything else reads as undecided, never raises."""

from __future__ import annotations

import copy
import pickle
import time
from collections.abc import Callable
from dataclasses import FrozenInstanceError, replace
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentkit.categories import OPTIONAL_CATEGORIES
from consentkit.consent import (
    METHODS,
    UNDECIDED,
    Consent,
    SharedFields,
    granted_set,
    new_consent_id,
    restored_consent,
    signing_seconds,
)
from consentkit.gate.consent_cookie import MAX_COOKIE_LENGTH, ConsentCookieCodec, WeakSecretKey, check_secret_keys
from consentkit.gate.setcookie import request_cookie

YEAR = 365 * 86_400


def codec(**options: object) -> ConsentCookieCodec:
    settings: dict[str, object] = {"secret_key": "k1", "policy_version": "2026-11-01", "max_age_seconds": YEAR}
    settings.update(options)
    return ConsentCookieCodec(**settings)  # type: ignore[arg-type]


def decided(granted: set[str], method: str = "custom") -> Consent:
    return Consent(
        decided=method != "service",
        granted=granted_set(granted),
        policy_version="2026-11-01",
        decided_at=datetime.now(UTC).replace(microsecond=0),
        consent_id=new_consent_id(),
        method=method,
    )


@given(
    granted=st.sets(st.sampled_from(OPTIONAL_CATEGORIES)),
    method=st.sampled_from(METHODS),
)
def test_round_trip(granted: set[str], method: str) -> None:
    original = decided(granted, method)
    value = codec().dumps(original)
    restored = codec().loads(value)
    assert restored.decided == (method != "service")
    assert restored.granted == original.granted
    assert restored.method == method
    assert restored.consent_id == original.consent_id
    assert restored.policy_version == "2026-11-01"
    assert restored.decided_at is not None
    assert abs((restored.decided_at - original.decided_at).total_seconds()) <= 1  # type: ignore[operator]
    assert len(value) < 128


def test_the_consent_id_has_128_random_bits() -> None:
    ids = {new_consent_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(consent_id) == 22 for consent_id in ids)  # 16 bytes, base64url without padding
    assert all(consent_id[0].isalnum() for consent_id in ids)  # never read as a command-line option


@given(value=st.text(max_size=400))
def test_any_text_reads_as_undecided(value: str) -> None:
    assert codec().loads(value) == UNDECIDED


@given(data=st.data())
def test_a_tampered_cookie_reads_as_undecided(data: st.DataObject) -> None:
    value = codec().dumps(decided({"analytics"}))
    original = codec().loads(value)
    # Drawn independently of the value, whose length varies with the time it was signed (hypothesis replays draws).
    position = data.draw(st.integers(min_value=0, max_value=1_000)) % len(value)
    replacements = "AZaz09-_."
    replacement = replacements[data.draw(st.integers(min_value=0, max_value=len(replacements) - 1))]
    if replacement == value[position]:
        replacement = replacements[(replacements.index(replacement) + 1) % len(replacements)]
    tampered = value[:position] + replacement + value[position + 1 :]
    # The last base64 character carries two padding bits, so a few edits there
    # decode to the very same signature: those may read as the unchanged consent.
    assert codec().loads(tampered) in (UNDECIDED, original)
    if position < len(value) - 1:
        assert codec().loads(tampered) == UNDECIDED


def test_granting_more_by_editing_the_bits_fails_the_signature() -> None:
    value = codec().dumps(decided(set()))
    version, bits, rest = value.split(".", 2)
    assert bits == "0"
    assert codec().loads(f"{version}.7.{rest}") == UNDECIDED


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * (MAX_COOKIE_LENGTH + 1), id="oversized"),
        pytest.param("1.7.a.AAAAAAAAAAAAAAAAAAAAAA.xxxxxxxx", id="unsigned"),
        pytest.param("1.7.a.AAAAAAAAAAAAAAAAAAAAAA.xxxxxxxx.aaaa.bbbb", id="bad-signature"),
        pytest.param("\x00\xff\u2603;=,", id="garbled"),
        pytest.param("....", id="dots"),
        pytest.param("2.\udcff.0.c", id="lone-surrogate"),
        pytest.param("\udcff" * (MAX_COOKIE_LENGTH + 1), id="lone-surrogates-oversized"),
    ],
)
def test_hostile_values_read_as_undecided(value: str) -> None:
    assert codec().loads(value) == UNDECIDED


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("2.2.0.c.{id}\n.{policy}", id="id-with-a-line-feed"),
        pytest.param("2.2.0.c.{short}.{policy}", id="id-too-short"),
        pytest.param("2.2.0.c.{short}+=.{policy}", id="id-outside-the-alphabet"),
        pytest.param("2.2.0.c.{short}\u00e9.{policy}", id="id-not-ascii"),
        pytest.param("2.\u00e9.0.c.{id}.{policy}", id="head-not-ascii"),
        pytest.param("2.2.0.c.{id}.{policy}x", id="another-policy-hash"),
        pytest.param("{id}.{policy}", id="no-head"),
        pytest.param("2.2.0.q.{id}.{policy}", id="unknown-method"),
    ],
)
def test_a_signed_payload_this_release_never_writes_reads_as_undecided(payload: str) -> None:
    """Only a key holder can sign these; each part is still checked as consentkit writes it."""
    made = codec()
    consent_id = new_consent_id()
    value = made._signer.sign(payload.format(id=consent_id, short=consent_id[:20], policy=made._policy_hash)).decode(
        "utf-8"
    )
    assert made.loads(value) == UNDECIDED
    well_formed = made._signer.sign(f"2.2.0.c.{consent_id}.{made._policy_hash}").decode("ascii")
    assert made.loads(well_formed).consent_id == consent_id


def test_another_key_reads_as_undecided() -> None:
    value = codec(secret_key="attacker").dumps(decided({"marketing"}))
    assert codec().loads(value) == UNDECIDED


def test_key_rotation_verifies_old_cookies_and_signs_with_the_newest() -> None:
    old_value = codec(secret_key="old").dumps(decided({"analytics"}))
    rotated = codec(secret_key=["old", "new"])
    assert rotated.loads(old_value).allows("analytics")
    new_value = rotated.dumps(decided({"analytics"}))
    assert codec(secret_key="new").loads(new_value).allows("analytics")
    assert codec(secret_key="old").loads(new_value) == UNDECIDED


def test_an_older_policy_version_reads_as_undecided() -> None:
    """docs/compliance.md item 13: asked again when the policy version changes."""
    value = codec(policy_version="2026-01-01").dumps(decided({"analytics"}))
    assert codec(policy_version="2026-11-01").loads(value) == UNDECIDED


def test_an_expired_cookie_reads_as_undecided_even_from_the_cache() -> None:
    """docs/compliance.md item 13: consent expires."""
    short = codec(max_age_seconds=60)
    value = short.dumps(decided({"analytics"}))
    assert short.loads(value).decided  # now cached
    later = time.time() + 61
    with mock.patch("time.time", return_value=later):
        assert short.loads(value) == UNDECIDED
    assert codec(max_age_seconds=60).loads(value).decided  # a fresh codec agrees it is still valid now


def test_the_cache_serves_what_the_signature_check_gives() -> None:
    cached = codec()
    value = cached.dumps(decided({"analytics"}, "custom"))
    first = cached.loads(value)
    assert cached.loads(value) is first  # the second read is the cache's
    uncached = codec()
    uncached.cache_size = 0  # every read verifies, as a visitor's first request does
    assert uncached.loads(value) == first
    assert uncached.loads(value) is not first
    assert uncached.loads(value[:-1] + ("A" if value[-2] != "A" else "B") + value[-1]) == UNDECIDED


def test_switching_the_cache_off_verifies_the_very_next_read() -> None:
    reader = codec()
    value = reader.dumps(decided({"analytics"}))
    first = reader.consent_in_header(f"consentkit={value}")
    assert reader.consent_in_header(f"consentkit={value}") is first  # cached
    reader.cache_size = 0
    assert reader.consent_in_header(f"consentkit={value}") == first
    assert reader.consent_in_header(f"consentkit={value}") is not first


def test_a_cookie_cached_under_one_key_set_reads_as_undecided_under_another() -> None:
    """The cache belongs to one codec, so to its keys: a key withdrawn from the list stops verifying."""
    value = codec(secret_key=["old", "new"]).dumps(decided({"marketing"}))
    rotated = codec(secret_key=["old", "new"])
    assert rotated.loads(value).allows("marketing")  # cached now
    assert codec(secret_key=["old", "newer"]).loads(value) == UNDECIDED


def test_the_cache_stays_bounded() -> None:
    small = codec()
    small.cache_size = 3
    values = [small.dumps(decided({"analytics"})) for _ in range(7)]
    assert all(small.loads(value).allows("analytics") for value in values)
    assert len(small._verified) <= 3


@pytest.mark.parametrize("signed_at", [1_795_000_000, b"az_ACA"], ids=["seconds", "as-written"])
def test_a_restored_consent_is_the_dataclass_s_own(signed_at: int | bytes) -> None:
    """Built in place from shared fields, it is the same object a Consent(...) call makes, every field named."""
    fields = {
        "decided": True,
        "granted": granted_set({"analytics"}),
        "policy_version": "2026-11-01",
        "decided_at": datetime.fromtimestamp(signing_seconds(signed_at), UTC),
        "consent_id": new_consent_id(),
        "method": "custom",
        "services": frozenset({"google-analytics"}),
    }
    names = [field.name for field in dataclass_fields(Consent)]
    assert sorted([*SharedFields._fields, "consent_id", "decided_at"]) == sorted(names)

    def restored() -> Consent:
        shared = SharedFields(**{name: fields[name] for name in SharedFields._fields})  # type: ignore[arg-type]
        return restored_consent(shared, signed_at, fields["consent_id"])  # type: ignore[arg-type]

    assert type(restored()) is Consent
    # Each of these reads decided_at first on a fresh one, so each makes it from signed_at.
    assert restored() == Consent(**fields)  # type: ignore[arg-type]
    assert hash(restored()) == hash(Consent(**fields))  # type: ignore[arg-type]
    assert repr(restored()) == repr(Consent(**fields))  # type: ignore[arg-type]
    assert restored().decided_at == fields["decided_at"]
    assert replace(restored(), method="withdraw") == replace(Consent(**fields), method="withdraw")  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(restored())) == Consent(**fields)  # type: ignore[arg-type]  # noqa: S301  (our own bytes)
    assert copy.copy(restored()) == Consent(**fields)  # type: ignore[arg-type]
    with pytest.raises(FrozenInstanceError):
        restored().decided = False  # type: ignore[misc]
    with pytest.raises(AttributeError, match="'Consent' object has no attribute 'decided_on'"):
        restored().decided_on  # type: ignore[attr-defined]  # noqa: B018


def test_a_category_no_longer_offered_is_not_granted_by_an_old_cookie() -> None:
    value = codec().dumps(decided({"analytics", "marketing"}))
    restored = codec(offered=("functional", "analytics")).loads(value)
    assert restored.allows("analytics")
    assert not restored.allows("marketing")


def test_an_empty_secret_key_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty secret_key"):
        codec(secret_key="")
    with pytest.raises(ValueError, match="non-empty secret_key"):
        codec(secret_key=[])


def test_undecided_allows_only_necessary() -> None:
    assert UNDECIDED.allows("necessary")
    assert not any(UNDECIDED.allows(category) for category in OPTIONAL_CATEGORIES)


STRONG = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("secret_key", "problem"),
    [
        pytest.param("k1", "secret_key has 2 bytes; at least 32", id="short"),
        pytest.param("x" * 31, "has 31 bytes", id="one-short"),
        pytest.param("demo-only-not-a-secret", "published in consentkit's own examples", id="the-old-demo-key"),
        pytest.param("...", "published", id="readme-placeholder"),
        pytest.param([STRONG, "old"], r"secret_key\[1\] has 3 bytes", id="weak-key-in-rotation"),
    ],
)
def test_a_guessable_key_is_refused_in_production(secret_key: object, problem: str) -> None:
    """Issue 8 item 6: a 4-character key was found from one cookie in 0.14 s, and a forged accept_all accepted."""
    with pytest.raises(WeakSecretKey, match=problem):
        check_secret_keys(secret_key, debug=False)


def test_a_guessable_key_is_only_warned_about_in_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="consentkit"):
        check_secret_keys("dev-key", debug=True)
    assert any("has 7 bytes" in message and "debug" in message for message in caplog.messages)


def test_strong_keys_pass_silently(caplog: pytest.LogCaptureFixture) -> None:
    check_secret_keys(STRONG, debug=False)
    check_secret_keys([STRONG.encode(), STRONG[::-1]], debug=False)
    assert caplog.messages == []


@pytest.mark.parametrize(
    ("secret_key", "problem"),
    [
        pytest.param(None, "needs a secret_key to sign consent cookies, got None", id="none"),
        pytest.param(12345, "must be a string, bytes or a list of them, got int", id="number"),
        pytest.param([STRONG, None], "got a NoneType", id="none-in-list"),
    ],
)
def test_a_missing_or_mistyped_key_gets_a_clear_error(secret_key: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_secret_keys(secret_key, debug=True)
    with pytest.raises(ValueError, match=problem):
        codec(secret_key=secret_key)


_AROUND = st.text(' ;=\t"consentkitabc', max_size=12)


@given(_AROUND, _AROUND, st.sampled_from(["", '"', " ", "\t"]), st.booleans())
def test_the_consent_in_a_cookie_header_is_request_cookie_s_whether_cached_or_not(
    before: str, after: str, quote: str, warm: bool
) -> None:
    """The look-up of a returning visitor's cookie as it stands answers what the full parse answers."""
    reader = codec()
    value = reader.dumps(decided({"analytics"}))
    if warm:
        reader.loads(value)
    header = f"{before}consentkit={quote}{value}{quote}{after}"
    assert reader.consent_in_header(header) == reader.loads(request_cookie(header, "consentkit"))


def read_the_exact_way(made: ConsentCookieCodec) -> ConsentCookieCodec:
    """``made`` reading every value as itsdangerous and rsplit split it: without a key to compare a signature
    with in place, its in-place reading never matches (the exact way's ``unsign`` keeps the keys of its own)."""
    made._key_states = []
    return made


def read_in_place(made: ConsentCookieCodec, value: str) -> Consent | None:
    """What ``made`` reads from ``value`` in place; None if it had to ask the exact way (``_exact_parts``)."""
    asked = []
    exact_parts = made._exact_parts

    def exact(value: str) -> tuple[bytes, bytes, int] | None:
        asked.append(value)
        return exact_parts(value)

    made._exact_parts = exact  # type: ignore[method-assign]
    try:
        consent = made._verify(value, False)
    finally:
        del made._exact_parts
    return None if asked else consent


def laid_out_as_written(value: str) -> bool:
    """The dots where dumps puts them, counted from the end: _verify reads such a value in place."""
    encoded = value.encode()
    return len(encoded) >= 84 and all(encoded[place] == ord(".") for place in (-83, -60, -51, -44))


def _padded(value: str) -> str:
    return value + "="


def _with_junk_inside(value: str) -> str:
    return value[:-20] + "!!!!" + value[-20:]  # skipped by the lenient decoding; four keep the padding as it was


def _with_spare_bits(value: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return value[:-1] + alphabet[alphabet.index(value[-1]) ^ 1]  # the last character's two low bits are not read


def _in_the_standard_alphabet(value: str) -> str:
    head, _, signature = value.rpartition(".")
    return f"{head}.{signature.replace('-', '+').replace('_', '/')}"


@pytest.mark.parametrize("respell", [_padded, _with_junk_inside, _with_spare_bits, _in_the_standard_alphabet])
def test_a_signature_spelt_otherwise_verifies_as_itsdangerous_reads_it(respell: Callable[[str], str]) -> None:
    """itsdangerous accepts these spellings, which dumps never writes: those of another length are left to the
    exact way; those of 43 characters decode as unsign decodes them, so either way reads the same consent."""
    made = codec()
    made.cache_size = 0
    value = made.dumps(decided({"analytics"}))
    respelt = respell(value)
    in_place = read_in_place(made, respelt)
    if len(respelt) != len(value):
        assert in_place is None
    else:
        assert in_place in (None, made.loads(value))
    assert made.loads(respelt) == made.loads(value) != UNDECIDED
    assert read_the_exact_way(codec()).loads(respelt) == made.loads(value)
    assert made.consent_in_header(f"consentkit={respelt}") == made.loads(value)


def _read_at(made: ConsentCookieCodec, value: str, now: float) -> tuple[Consent | None, Consent]:
    """What ``made`` reads in place, and the exact way, at ``now``."""
    with mock.patch("time.time", return_value=now):
        return read_in_place(made, value), read_the_exact_way(codec(max_age_seconds=made.max_age_seconds)).loads(value)


@pytest.mark.parametrize("age", [-1, 0, YEAR, YEAR + 1])
@pytest.mark.parametrize("fraction", [0.0, 0.999])
def test_reading_in_place_counts_whole_seconds_as_unsign_does(age: int, fraction: float) -> None:
    made = codec()
    made.cache_size = 0
    signed_at = 1_790_000_000
    with mock.patch("time.time", return_value=signed_at + 0.25):
        value = made.dumps(decided({"analytics"}))
    in_place, exact = _read_at(made, value, signed_at + age + fraction)
    if 0 <= age <= YEAR:
        assert in_place == exact != UNDECIDED
        assert in_place is not None
        assert in_place.decided_at == datetime.fromtimestamp(signed_at, UTC)
    else:
        assert in_place is None
        assert exact == UNDECIDED


@pytest.mark.parametrize("signed_at", [1_000, 2**32 + 5], ids=["a-clock-in-1970", "a-clock-after-2106"])
def test_a_time_of_another_length_is_left_to_the_exact_way(signed_at: int) -> None:
    """Before mid-1970 and after 2106 itsdangerous writes the time in fewer or more than 6 characters."""
    made = codec(max_age_seconds=10**12)
    with mock.patch("time.time", return_value=float(signed_at)):
        value = made.dumps(decided({"analytics"}))
    assert len(value.rsplit(".", 2)[1]) != 6
    in_place, exact = _read_at(made, value, float(signed_at))
    assert in_place is None
    assert exact.allows("analytics")
    with mock.patch("time.time", return_value=float(signed_at)):
        assert made.loads(value) == exact


def _signed_payload(made: ConsentCookieCodec, head_and_id: str) -> str:
    return made._signer.sign(f"{head_and_id}.{made._policy_hash}").decode("ascii")


def _signed_at(made: ConsentCookieCodec, offset: int) -> str:
    with mock.patch("time.time", return_value=time.time() + offset):
        return made.dumps(decided({"analytics"}))


def _flipped_in_the_signature(made: ConsentCookieCodec, value: str) -> str:
    return value[:-20] + ("A" if value[-20] != "A" else "B") + value[-19:]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_flipped_in_the_signature, id="signature"),
        pytest.param(lambda made, value: codec(policy_version="2026-01-01").dumps(made.loads(value)), id="old-policy"),
        pytest.param(lambda made, value: _signed_payload(made, "2.2.0.c." + "+" * 22), id="id-outside-the-alphabet"),
        pytest.param(lambda made, value: _signed_payload(made, "2.2.0.c.AAAAAAAAAA.BBBBBBBBBBB"), id="id-with-a-dot"),
        pytest.param(lambda made, value: _signed_at(made, -YEAR - 2), id="expired"),
        pytest.param(lambda made, value: _signed_at(made, 60), id="signed-in-the-future"),
    ],
)
def test_a_value_laid_out_as_written_that_is_not_valid_reads_as_undecided(
    tamper: Callable[[ConsentCookieCodec, str], str],
) -> None:
    made = codec()
    made.cache_size = 0
    value = tamper(made, made.dumps(decided({"analytics"})))
    assert laid_out_as_written(value)
    assert made.loads(value) == UNDECIDED
    assert made.consent_in_header(f"session=1; consentkit={value}") == UNDECIDED
    assert read_the_exact_way(codec()).loads(value) == UNDECIDED


def test_an_id_longer_than_the_place_for_it_reads_as_undecided() -> None:
    """Without a "." before the id's 22 places, rsplit would take a longer id: the value is not read in place."""
    made = codec()
    value = _signed_payload(made, f"2.2.0.cX{new_consent_id()}")
    assert not laid_out_as_written(value)
    assert value.encode()[-60:-50] == b".%s." % made._policy_hash_bytes
    assert made.loads(value) == UNDECIDED
    assert made.consent_in_header(f"consentkit={value}") == UNDECIDED


@given(
    position=st.integers(min_value=0, max_value=1_000),
    removed=st.integers(min_value=0, max_value=2),
    inserted=st.text('Aa0-_.=!+/ "', max_size=2),
    granted=st.sets(st.sampled_from(OPTIONAL_CATEGORIES)),
)
def test_reading_in_place_answers_what_the_exact_way_answers(
    position: int, removed: int, inserted: str, granted: set[str]
) -> None:
    made = codec()
    made.cache_size = 0
    value = made.dumps(decided(granted))
    assert laid_out_as_written(value)
    position %= len(value) + 1
    edited = value[:position] + inserted + value[position + removed :]
    exact = read_the_exact_way(codec())
    assert read_in_place(made, value) == exact.loads(value) != UNDECIDED
    assert read_in_place(exact, value) is None  # the exact way is really asked
    assert made.loads(edited) == exact.loads(edited)
    header = f"consentkit={edited}"
    assert made.consent_in_header(header) == exact.loads(request_cookie(header, "consentkit"))
