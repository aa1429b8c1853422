"""The ``consentkit`` cookie: a compact, signed encoding of a ``Consent``.

Layout before signing: ``2.<category bits>.<service bits>.<method>.<consent id>.<policy hash>``,
then itsdangerous adds the decision time and an HMAC-SHA256 signature (about 105
bytes in all). The service bits hold only services allowed one by one, outside
a granted category. Format ``1`` (no service bits, written before services could
be allowed alone) still reads. Anything that does not verify, has expired, is
too long, or was given under another policy version reads as undecided; nothing
here raises on visitor input.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from binascii import a2b_base64
from collections.abc import Iterable, Mapping
from hmac import compare_digest
from typing import Final

from itsdangerous import TimestampSigner

from ..categories import OPTIONAL_CATEGORIES
from ..consent import (
    COOKIE_NAME,
    METHODS,
    UNDECIDED,
    URLSAFE_ALPHABET,
    URLSAFE_TO_STANDARD,
    Consent,
    SharedFields,
    granted_set,
    restored_consent,
    services_granted,
    signing_seconds,
)
from .setcookie import request_cookie
from .signature import IN_ORDER, STAMP_PLACES, SignatureVerifier, TimeWindow, keyed_hmac

__all__ = ["COOKIE_NAME", "ConsentCookieCodec", "SecretKeys", "WeakSecretKey", "check_secret_keys"]

log = logging.getLogger("consentkit")

#: A shorter key can be found from one cookie by brute force (four characters took 0.14 s).
MIN_KEY_BYTES: Final = 32

#: Keys printed in consentkit's own README, examples, tests and earlier releases: public, so worthless.
PUBLIC_KEYS: Final = frozenset(
    {
        "...",
        "demo-only-not-a-secret",
        "test-secret-key",
        "flask-secret",
        "secret",
        "change-me",
        "changeme",
        "dev",
        "development",
    }
)

_MAKE_ONE: Final = 'make one with: python -c "import secrets; print(secrets.token_hex(32))"'

_NAME_IS: Final = f"{COOKIE_NAME}="

#: Longer values are rejected before any cryptography is done.
MAX_COOKIE_LENGTH: Final = 256

_FORMAT_VERSION: Final = "2"
_OLD_FORMAT: Final = "1"
#: The bit of each built-in service in the cookie. Append only: a cookie keeps its meaning
#: across releases only if no service ever moves (tests check every preset has a bit).
SERVICE_BITS: Final = (
    "google-analytics",
    "google-tag-manager",
    "google-ads",
    "meta-pixel",
    "linkedin-insight",
    "tiktok-pixel",
    "hotjar",
    "microsoft-clarity",
    "matomo",
    "hubspot",
    "youtube",
    "vimeo",
)
_METHOD_CODES: Final = {method: method[0] for method in METHODS}
_CODE_METHODS: Final = {code: method for method, code in _METHOD_CODES.items()}
#: A consent id's 22 characters (``new_consent_id``), URL-safe base64.
_CONSENT_ID_LENGTH: Final = 22
#: Each character of that alphabet to "a", every other byte to "!": an id is valid when ``translate``
#: gives ``_VALID_ID``, its length and characters checked in one C call (a regular expression cost
#: 0.2 µs more of a visitor's first request, a translate that deletes the alphabet 0.07 µs).
_ID_CHARACTERS: Final = bytes(ord("a") if byte in URLSAFE_ALPHABET else ord("!") for byte in range(256))
_VALID_ID: Final = b"a" * _CONSENT_ID_LENGTH
#: Distinct payload heads (format, category bits, service bits, method) remembered;
#: far more than a site's cookies carry.
_MEANINGS_SIZE: Final = 1024

SecretKey = str | bytes
SecretKeys = SecretKey | Iterable[SecretKey]


class WeakSecretKey(ValueError):
    """A signing key that an attacker could guess: too short, or one published with consentkit."""


def secret_key_list(secret_key: object) -> list[bytes]:
    """The keys as bytes, oldest to newest; a clear error for None, empty or wrongly typed keys."""
    if secret_key is None:
        raise ValueError(f"consentkit needs a secret_key to sign consent cookies, got None; {_MAKE_ONE}")
    if isinstance(secret_key, (str, bytes)):
        keys: list[object] = [secret_key]
    elif isinstance(secret_key, Iterable):
        keys = list(secret_key)
    else:
        raise ValueError(f"secret_key must be a string, bytes or a list of them, got {type(secret_key).__name__}")
    encoded = []
    for key in keys:
        if not isinstance(key, (str, bytes)):
            raise ValueError(f"secret_key must be a string, bytes or a list of them, got a {type(key).__name__}")
        encoded.append(key.encode("utf-8") if isinstance(key, str) else key)
    if not encoded or not all(encoded):
        raise ValueError("consentkit needs a non-empty secret_key (or a list of them) to sign consent cookies")
    return encoded


def check_secret_keys(secret_key: object, *, debug: bool) -> None:
    """Refuse (``debug=False``) or warn about (``debug=True``) keys an attacker could find.

    Every key of a rotation list is checked: each one verifies cookies, so a
    weak old key forges as well as a weak new one.
    """
    problems = []
    for position, key in enumerate(secret_key_list(secret_key), start=1):
        which = "secret_key" if position == 1 and not _is_list(secret_key) else f"secret_key[{position - 1}]"
        if key.decode("utf-8", "replace") in PUBLIC_KEYS:
            problems.append(f"{which} is a key published in consentkit's own examples")
        elif len(key) < MIN_KEY_BYTES:
            problems.append(f"{which} has {len(key)} bytes; at least {MIN_KEY_BYTES} are needed")
    if not problems:
        return
    message = (
        f"{'; '.join(problems)}. Anyone could then forge a consent cookie; {_MAKE_ONE} "
        "and pass it from the environment or a secret store"
    )
    if not debug:
        raise WeakSecretKey(f"{message} (in development it is only a warning: debug=True, or FLASK_DEBUG=1 in Flask)")
    log.warning("consentkit: %s (accepted only because debug is on)", message)


def _is_list(secret_key: object) -> bool:
    return not isinstance(secret_key, (str, bytes))


def policy_hash(policy_version: str) -> str:
    digest = hashlib.sha256(policy_version.encode("utf-8")).digest()[:6]
    return base64.urlsafe_b64encode(digest).decode("ascii")


class ConsentCookieCodec:
    """Signs and verifies consent cookies for one policy version.

    ``secret_key`` is one key or a list ordered oldest to newest, as
    itsdangerous takes it: the newest signs, all of them verify.
    """

    #: Separates consent cookies from other values signed with the same key.
    salt = "consentkit.consent"
    #: How many verified cookies are remembered by default (``cache_size``).
    default_cache_size = 4096

    def __init__(
        self,
        secret_key: SecretKeys,
        policy_version: str,
        max_age_seconds: int,
        offered: tuple[str, ...] = OPTIONAL_CATEGORIES,
        services: Mapping[str, str] | None = None,
    ) -> None:
        self._signer = TimestampSigner(secret_key_list(secret_key), salt=self.salt, digest_method=hashlib.sha256)
        #: ``self._signer.unsign(value, max_age=...)``'s acceptance, with the keys' HMAC state prepared once.
        verifier = SignatureVerifier(self._signer, max_age_seconds)
        self._unsign = verifier.unsign
        self._key_states = verifier.key_states
        #: The signing times valid during one second; another is made once the clock has left it.
        self._window = TimeWindow.at(0.0, max_age_seconds)
        self.policy_version = policy_version
        self._policy_hash = policy_hash(policy_version)
        #: As the signed payload ends with it: the payload is split and checked as bytes.
        self._policy_hash_bytes = self._policy_hash.encode("ascii")
        self.max_age_seconds = max_age_seconds
        # A category the config stopped offering is no longer granted by old cookies.
        self._offered = frozenset(offered)
        #: The site's services and their categories; a service it dropped is no longer allowed.
        self._services = dict(services or {})
        # Verified values only, so a visitor cannot fill it with garbage; each with the time it expires.
        self._verified: dict[str, tuple[Consent, float]] = {}
        self._cache_size = self.default_cache_size
        #: What each payload's bits and method code mean under this config (few: the cookies say little).
        self._meanings: dict[bytes, SharedFields] = {}

    @property
    def cache_size(self) -> int:
        """How many verified cookies are remembered, so that a returning visitor's is not verified again;
        0 verifies every request. The cache belongs to this codec, and so to its keys."""
        return self._cache_size

    @cache_size.setter
    def cache_size(self, size: int) -> None:
        self._cache_size = size
        if len(self._verified) > size:
            self._verified.clear()

    def dumps(self, consent: Consent) -> str:
        """The signed cookie value; an undecided consent is stored only with method ``service``."""
        if consent.consent_id is None or consent.method is None:
            raise ValueError("only a consent with an id and a method is stored")
        if consent.decided == (consent.method == "service"):
            raise ValueError('method "service" is for a visitor who has not decided, and only for them')
        bits = _mask(OPTIONAL_CATEGORIES, consent.granted)
        alone = {service for service in consent.services if self._services.get(service) not in consent.granted}
        services = _mask(SERVICE_BITS, alone)
        payload = (
            f"{_FORMAT_VERSION}.{bits:x}.{services:x}.{_METHOD_CODES[consent.method]}."
            f"{consent.consent_id}.{self._policy_hash}"
        )
        return self._signer.sign(payload).decode("ascii")

    def consent_in_header(self, cookie_header: str) -> Consent:
        """``loads(request_cookie(cookie_header, COOKIE_NAME))``, the consent a request's Cookie header carries.

        A returning visitor's cookie, spelt as browsers send it (first of its name, at the start or
        after "; ", the value up to the next ";"), is looked up among the verified ones as it stands:
        request_cookie would return the same string, since a verified value has nothing to strip
        (and a new one is stripped as request_cookie strips it). Anything else is parsed in full.
        A new value as request_cookie leaves it is verified and remembered as it stands; any other goes
        the way request_cookie goes.
        """
        before, found, after = cookie_header.partition(_NAME_IS)  # cheaper than find() and slices
        if found and (not before or before[-2:] == "; ") and COOKIE_NAME not in before:
            raw = after.partition(";")[0]
            cached = self._verified.get(raw)
            if cached is not None:
                consent, expires = cached
                return consent if time.time() < expires else UNDECIDED
            value = raw.strip().strip('"')  # what request_cookie returns for this spelling
            if value is raw:  # not among the verified, and as request_cookie leaves it: remembered if valid
                return self._verify(value, True)
            return self.loads(value)
        if not found and COOKIE_NAME not in cookie_header:
            return UNDECIDED
        return self.loads(request_cookie(cookie_header, COOKIE_NAME))

    def loads(self, value: str | None) -> Consent:
        """The consent in a cookie value; UNDECIDED for anything not valid now."""
        if not value:
            return UNDECIDED
        cached = self._verified.get(value)
        if cached is not None:
            consent, expires = cached
            return consent if time.time() < expires else UNDECIDED
        # Remembered only as request_cookie leaves a value: consent_in_header looks a value up as it stands.
        return self._verify(value, value == value.strip().strip('"'))

    def _verify(self, value: str, remember: bool) -> Consent:
        """``loads`` for a value not among the verified ones, kept among them if valid and ``remember``.

        A visitor's first request pays for all of it, so the layout ``dumps`` writes is read first, here,
        with as few calls as it takes (a call costs as much as a step): the UTF-8 value split at its last four
        dots, ``<head>.<id>.<policy hash>.<time>.<signature>`` (the head, format, bits and method, has
        dots of its own), with a 22-character id, this policy's hash, a 6-character time within the
        current second's ``TimeWindow``, and a signature the value's HMAC decodes to. itsdangerous and
        ``rsplit`` would cut such a value at the same places and decode the same time and signature, so
        the verdict is theirs. Any other value (another layout or policy, a time of another length, written
        by a clock before mid-1970 or after 2106, a signature not valid) is split as itsdangerous and
        ``rsplit`` split it (``_exact_parts``): a tampered cookie pays for both.
        """
        as_written = False
        try:
            encoded = value.encode()
            head, consent_id, policy_hash, stamp, signature = encoded.rsplit(b".", 4)
            # itsdangerous's decoding of a 43-character signature (a binascii.Error is a ValueError).
            expected = a2b_base64(signature.translate(URLSAFE_TO_STANDARD) + b"=")
        except UnicodeEncodeError:  # a lone surrogate, which no cookie carries (unsign's encode raised it)
            return UNDECIDED
        except ValueError:  # fewer than four dots, or a signature of another length
            pass
        else:
            if (
                len(encoded) <= MAX_COOKIE_LENGTH
                and policy_hash == self._policy_hash_bytes
                and consent_id.translate(_ID_CHARACTERS) == _VALID_ID
                and len(stamp) == STAMP_PLACES
            ):
                signed = encoded[:-44]  # what the signature covers, if it has 43 characters; else no key matches
                for inner, outer in self._key_states:
                    if compare_digest(keyed_hmac(inner, outer, signed), expected):
                        now = time.time()
                        since, until, oldest, newest = self._window
                        if not since <= now < until:
                            since, until, oldest, newest = self._window = TimeWindow.at(now, self.max_age_seconds)
                        # Signed, so written by itsdangerous: six characters of the alphabet, compared in place.
                        as_written = oldest <= stamp.translate(IN_ORDER) <= newest
                        break
        if as_written:
            signed_at: int | bytes = stamp  # decoded on first need (Consent.decided_at, the cache's expiry)
        else:
            parts = self._exact_parts(value)
            if parts is None:
                return UNDECIDED
            head, consent_id, signed_at = parts
        # The bits and method code before the id (the "head") are few; what each means is remembered.
        meaning = self._meanings.get(head)
        if meaning is None:
            try:
                meaning = self._meaning(head)
            except (ValueError, KeyError):  # UnicodeDecodeError is a ValueError
                return UNDECIDED
            if meaning is None:
                return UNDECIDED  # a format this release does not read
        decoded = restored_consent(meaning, signed_at, consent_id.decode())
        if remember and self._cache_size:
            if len(self._verified) >= self._cache_size:
                self._verified.clear()
            self._verified[value] = (decoded, signing_seconds(signed_at) + self.max_age_seconds)
        return decoded

    def _exact_parts(self, value: str) -> tuple[bytes, bytes, int] | None:
        """The head, consent id and signing time of any value of this policy version, found as
        itsdangerous and ``rsplit`` find them; None for a value that does not verify now."""
        if not value or len(value) > MAX_COOKIE_LENGTH:
            return None
        # The same acceptance as self._signer.unsign(value, max_age=...), without deriving the keys each time.
        verified = self._unsign(value, int(time.time()))
        if verified is None:
            return None
        payload, signed_at = verified
        parts = payload.rsplit(b".", 2)
        if len(parts) != 3 or parts[2] != self._policy_hash_bytes or parts[1].translate(_ID_CHARACTERS) != _VALID_ID:
            return None
        return parts[0], parts[1], signed_at

    def _meaning(self, head: bytes) -> SharedFields | None:
        """What a payload's head (format, bits, method code) means, remembered: only signed payloads get here.

        None for a format this release does not know. Raises ValueError (UnicodeDecodeError for a head that
        is not ASCII) or KeyError for a malformed head.
        """
        fields = head.decode("ascii").split(".")
        if fields[0] == _OLD_FORMAT:
            fields.insert(2, "0")
        elif fields[0] != _FORMAT_VERSION:
            return None
        _, bits, service_bits, code = fields
        granted = granted_set(_unmask(OPTIONAL_CATEGORIES, int(bits, 16)) & self._offered)
        method = _CODE_METHODS[code]
        services = services_granted(granted, _unmask(SERVICE_BITS, int(service_bits, 16)), self._services)
        meaning = SharedFields(method != "service", granted, self.policy_version, method, services)
        if len(self._meanings) >= _MEANINGS_SIZE:
            self._meanings.clear()
        self._meanings[head] = meaning
        return meaning


def _mask(names: tuple[str, ...], chosen: Iterable[str]) -> int:
    chosen = set(chosen)
    return sum(1 << index for index, name in enumerate(names) if name in chosen)


def _unmask(names: tuple[str, ...], mask: int) -> frozenset[str]:
    return frozenset(name for index, name in enumerate(names) if mask & (1 << index))
