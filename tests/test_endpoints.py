"""consentkit's own URLs: the choice, its JSON state, the notice, the static files."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.gate.endpoints import safe_next
from consentkit.log import ConsentRecord, LogStoreError
from consentkit.log.record import text_hash_of
from consentkit.log.store import KeptText

from .conftest import ListStore, config_from

Factory = Callable[..., ConsentMiddleware]


def post_choice(client: Client, **form: Any) -> Any:
    return client.post("/consentkit/consent", data=form)


def consent_set_cookie(response: Any) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("consentkit="))


@pytest.mark.parametrize("choice", ["accept_all", "reject_all", "custom"])
def test_each_choice_posts_and_redirects_without_javascript(make_middleware: Factory, choice: str) -> None:
    client = Client(make_middleware())
    response = post_choice(client, choice=choice, category=["analytics"], next="/faktura/123?vis=alle")
    assert response.status_code == 303
    assert response.headers["Location"] == "/faktura/123?vis=alle"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/consentkit/consent").json["decided"] is True


def test_the_consent_cookie_attributes(make_middleware: Factory) -> None:
    response = post_choice(Client(make_middleware()), choice="reject_all")
    cookie = consent_set_cookie(response)
    assert "; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Domain" not in cookie


def test_the_consent_cookie_is_secure_on_https_and_takes_the_configured_domain(make_middleware: Factory) -> None:
    client = Client(make_middleware(cfg=config_from(cookie_domain=".eksempel.no")))
    response = client.post("/consentkit/consent", data={"choice": "reject_all"}, base_url="https://www.eksempel.no")
    cookie = consent_set_cookie(response)
    assert cookie.endswith("; Domain=.eksempel.no; HttpOnly; SameSite=Lax; Secure")


def test_the_json_state(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    assert client.get("/consentkit/consent").json == {
        "decided": False,
        "policy_version": "2026-11-01",  # issue 8 item 15: the version the visitor is asked under
        "consent_id": None,
        "decided_at": None,
        "method": None,
        "categories": {"necessary": True, "functional": False, "analytics": False, "marketing": False},
        "services": {"google-analytics": False, "meta-pixel": False},
        "offered": ["necessary", "functional", "analytics", "marketing"],
    }
    post_choice(client, choice="custom", category=["analytics", "marketing"])
    state = client.get("/consentkit/consent").json
    assert state["decided"] is True
    assert state["policy_version"] == "2026-11-01"
    assert len(state["consent_id"]) == 22
    assert state["categories"] == {"necessary": True, "functional": False, "analytics": True, "marketing": True}
    assert state["method"] == "custom"


def test_a_request_asking_for_json_gets_200_and_the_state(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    response = client.post("/consentkit/consent", data={"choice": "accept_all"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["categories"]["marketing"] is True


def test_a_json_body_is_accepted(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    response = client.post("/consentkit/consent", json={"choice": "custom", "categories": ["functional"]})
    assert response.status_code == 200
    assert response.json["categories"] == {
        "necessary": True,
        "functional": True,
        "analytics": False,
        "marketing": False,
    }


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/side", "/side"),
        ("/a/b?c=d#e", "/a/b?c=d#e"),
        ("https://evil.test/", "/"),
        ("//evil.test/", "/"),
        ("/\\evil.test", "/"),
        ("javascript:alert(1)", "/"),
        ("side", "/"),
        ("/line\nbreak", "/"),
        ("/tab\there", "/"),
        ("", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_next_must_be_a_same_site_relative_path(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_a_foreign_next_redirects_home(make_middleware: Factory) -> None:
    response = post_choice(Client(make_middleware()), choice="accept_all", next="https://evil.test/phish")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "https://evil.test"}, id="foreign-origin"),
        pytest.param({"Origin": "null"}, id="null-origin"),
        pytest.param({"Origin": "http://localhost:8001"}, id="other-port"),
        pytest.param({"Referer": "https://evil.test/page"}, id="foreign-referer"),
    ],
)
def test_a_post_from_another_site_changes_nothing(
    make_middleware: Factory, store: ListStore, headers: dict[str, str]
) -> None:
    client = Client(make_middleware())
    response = client.post("/consentkit/consent", data={"choice": "accept_all"}, headers=headers)
    assert response.status_code == 403
    assert response.headers.getlist("Set-Cookie") == []
    assert store.saved == []
    assert "Vi kunne ikke" not in response.text
    assert "Forespørselen kom fra et annet nettsted" in response.text  # nb is the default locale


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "http://localhost"}, id="same-origin"),
        pytest.param({"Origin": "http://localhost:80"}, id="default-port"),
        pytest.param({"Referer": "http://localhost/page"}, id="same-referer"),
        pytest.param({}, id="neither"),
    ],
)
def test_a_same_site_post_is_accepted(make_middleware: Factory, headers: dict[str, str]) -> None:
    response = Client(make_middleware()).post("/consentkit/consent", data={"choice": "reject_all"}, headers=headers)
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        pytest.param(
            {}, "choice must be one of accept_all, reject_all, custom, service, gpc, got None", id="no-choice"
        ),
        pytest.param({"choice": "yes_please"}, "got 'yes_please'", id="unknown-choice"),
        pytest.param({"choice": "custom", "category": ["stats"]}, "'stats' is not an optional category", id="category"),
        pytest.param({"choice": "custom", "category": ["necessary"]}, "'necessary' is not an optional", id="necessary"),
    ],
)
def test_a_bad_form_gets_400_with_a_clear_message(
    make_middleware: Factory, store: ListStore, data: dict[str, Any], detail: str
) -> None:
    client = Client(make_middleware())
    html = client.post("/consentkit/consent", data=data, headers={"Accept-Language": "sv"})
    assert html.status_code == 400
    assert "Vi kunde inte läsa ditt val. Försök igen." in html.text
    as_json = client.post("/consentkit/consent", data=data, headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    assert detail in as_json.json["detail"]
    assert store.saved == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="garbled"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"choice": "custom", "categories": "analytics"}', id="categories-not-a-list"),
        pytest.param(b'{"choice": ["accept_all"]}', id="choice-not-a-string"),
        pytest.param(b'{"choice": "custom", "categories": [{"a": 1}]}', id="category-not-a-string"),
    ],
)
def test_bad_json_gets_400(make_middleware: Factory, body: bytes) -> None:
    response = Client(make_middleware()).post("/consentkit/consent", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json


def test_an_oversized_body_is_refused(make_middleware: Factory) -> None:
    response = Client(make_middleware()).post(
        "/consentkit/consent", data={"choice": "accept_all", "padding": "x" * 20_000}
    )
    assert response.status_code == 413
    assert "Vi kunne ikke lese valget ditt" in response.text


def test_wrong_methods_and_unknown_paths(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    assert client.delete("/consentkit/consent").status_code == 405
    assert client.post("/consentkit/notice").status_code == 405
    assert client.get("/consentkit/nothing").status_code == 404
    assert client.get("/consentkit/static/../config.py").status_code == 404


def test_withdrawal_expires_the_denied_cookies_the_browser_sent(make_middleware: Factory, store: ListStore) -> None:
    """docs/compliance.md item 10: withdrawing deletes that category's cookies."""
    client = Client(make_middleware())
    client.post("/consentkit/consent", data={"choice": "accept_all"}, base_url="http://www.eksempel.no")
    for name in ("_ga", "_ga_ABC123", "tracker_1", "_fbp", "lang", "session"):
        client.set_cookie(name, "1", domain="www.eksempel.no")
    response = client.post(
        "/consentkit/consent",
        data={"choice": "custom", "category": ["functional"]},
        base_url="http://www.eksempel.no",
    )
    expired = [value for value in response.headers.getlist("Set-Cookie") if "Max-Age=0" in value]
    names = {value.split("=", 1)[0] for value in expired}
    assert names == {"_ga", "_ga_ABC123", "tracker_1", "_fbp"}
    # Host-only and every parent domain a script may have used; the declared domain too.
    ga = [value for value in expired if value.startswith("_ga=")]
    assert any(value.endswith("; Path=/") for value in ga)
    assert any(value.endswith("; Domain=www.eksempel.no") for value in ga)
    assert any(value.endswith("; Domain=eksempel.no") for value in ga)
    tracker = [value for value in expired if value.startswith("tracker_1=")]
    assert any(value.endswith("; Domain=.eksempel.no") for value in tracker)
    # What was pressed, and what it took back (issue 8 item 15).
    assert store.saved[-1].method == "custom"
    assert store.saved[-1].withdrawn == ("analytics", "marketing")
    assert store.saved[-1].granted == ("functional",)


def test_a_reject_after_an_accept_is_a_reject_that_withdrew(make_middleware: Factory, store: ListStore) -> None:
    client = Client(make_middleware())
    post_choice(client, choice="accept_all")
    post_choice(client, choice="reject_all")
    post_choice(client, choice="reject_all")
    assert [(record.method, record.withdrawn) for record in store.saved] == [
        ("accept_all", ()),
        ("reject_all", ("functional", "analytics", "marketing")),
        ("reject_all", ()),  # nothing left to take back
    ]


def test_the_consent_id_is_kept_when_the_visitor_changes_their_mind(make_middleware: Factory, store: ListStore) -> None:
    client = Client(make_middleware())
    post_choice(client, choice="reject_all")
    post_choice(client, choice="accept_all")
    assert store.saved[0].consent_id == store.saved[1].consent_id
    assert [record.method for record in store.saved] == ["reject_all", "accept_all"]


def test_every_decision_is_logged_for_proof(make_middleware: Factory, store: ListStore) -> None:
    """docs/compliance.md item 12: id, UTC time, choice per category, method, policy version, text hash, locale."""
    client = Client(make_middleware())
    post_choice(client, choice="custom", category=["analytics"], locale="sv")
    (record,) = store.saved
    assert isinstance(record, ConsentRecord)
    state = client.get("/consentkit/consent").json
    assert record.consent_id == state["consent_id"]
    assert record.recorded_at.utcoffset() is not None
    assert record.recorded_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert record.policy_version == "2026-11-01"
    assert record.granted == ("analytics",)
    assert record.denied == ("functional", "marketing")
    assert record.method == "custom"
    assert record.locale == "sv"
    assert record.text_hash.startswith("sha256:")
    # The texts behind the hash are kept, so the proof survives later edits of config or catalogs.
    kept = json.loads(store.text(record.text_hash) or "{}")
    assert kept["locale"] == "sv"
    assert "Acceptera alla" in kept["texts"]
    assert text_hash_of(store.text(record.text_hash) or "") == record.text_hash
    assert "127.0.0.1" not in json.dumps(record.to_json())


def test_the_text_hash_differs_per_locale_and_text(make_middleware: Factory, store: ListStore) -> None:
    client = Client(make_middleware())
    post_choice(client, choice="reject_all", locale="nb")
    post_choice(client, choice="reject_all", locale="sv")
    overridden = Client(make_middleware(cfg=config_from(texts={"sv": {"banner_title": "Kakor hos oss"}})))
    post_choice(overridden, choice="reject_all", locale="sv")
    hashes = [record.text_hash for record in store.saved]
    assert len(set(hashes)) == 3


class BrokenStore(ListStore):
    def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
        raise LogStoreError("disk full")


def test_a_failing_log_write_does_not_fail_the_visitor(
    make_middleware: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(make_middleware(store=BrokenStore()))
    response = post_choice(client, choice="accept_all")
    assert response.status_code == 303
    assert consent_set_cookie(response)
    # The record stays recoverable from the server log.
    assert any('"method": "accept_all"' in record.getMessage() for record in caplog.records)


def test_the_notice_page(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    response = client.get("/consentkit/notice?lang=sv&next=/faktura")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "sv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.text
    assert '<html lang="sv">' in text
    assert "Om kakor" in text
    assert 'name="next" value="/faktura"' in text
    # docs/compliance.md item 14: the consent cookie itself is declared.
    assert "<code>consentkit</code>" in text
    for name in ("session", "lang", "_ga", "_fbp", "tracker_*"):
        assert f"<code>{name}</code>" in text


def test_the_notice_shows_the_visitors_own_choice(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    post_choice(client, choice="custom", category=["analytics"])
    text = client.get("/consentkit/notice?lang=en").text
    consent_id = client.get("/consentkit/consent").json["consent_id"]
    assert f"Consent ID: {consent_id}" in text
    assert 'value="analytics" checked' in text
    assert 'value="marketing">' in text


def test_static_files_are_cached_by_version(make_middleware: Factory) -> None:
    middleware = make_middleware()
    client = Client(middleware)
    version = middleware.renderer.static_version
    versioned = client.get(f"/consentkit/static/consentkit.css?v={version}")
    assert versioned.status_code == 200
    assert versioned.headers["Content-Type"].startswith("text/css")
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/consentkit/static/consentkit.css")
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/consentkit/static/consentkit.css", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
