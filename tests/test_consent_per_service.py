"""Consent per service (issue 9): a visitor allows YouTube alone, and every layer honours it.

The cookie carries the services allowed one by one, the endpoints take them
from a form or JSON, the gate lets their cookies through while the category
stays refused, a placeholder's button leaves the banner's question open, and
the log records services granted and denied.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.config.services import builtin_presets
from consentkit.consent import Consent, granted_set, new_consent_id
from consentkit.gate.consent_cookie import SERVICE_BITS, ConsentCookieCodec, policy_hash

from .conftest import BASE_TOML, ListStore, config_from, cookie_app
from .html_audit import elements

Factory = Callable[..., ConsentMiddleware]
YEAR = 365 * 86_400
SERVICES = {"google-analytics": "analytics", "meta-pixel": "marketing", "youtube": "marketing"}
WITH_YOUTUBE = BASE_TOML + '\n[[services]]\npreset = "youtube"\n'
#: YouTube's and Meta's cookies, as a response would set them.
YOUTUBE_AND_META = ("VISITOR_INFO1_LIVE=1; Path=/", "_fbp=fb.1; Path=/", "tracker_x=1; Path=/")


def codec() -> ConsentCookieCodec:
    return ConsentCookieCodec("k1", "2026-11-01", YEAR, services=SERVICES)


def test_every_builtin_service_has_a_fixed_bit_in_the_cookie() -> None:
    assert set(builtin_presets()) <= set(SERVICE_BITS)
    assert len(set(SERVICE_BITS)) == len(SERVICE_BITS)


@pytest.mark.parametrize(
    ("categories", "services"),
    [
        pytest.param(set(), {"youtube"}, id="youtube-alone"),
        pytest.param({"analytics"}, {"youtube"}, id="analytics-and-youtube"),
        pytest.param({"marketing"}, set(), id="marketing-brings-its-services"),
        pytest.param(set(), {"youtube", "meta-pixel", "google-analytics"}, id="every-service-alone"),
    ],
)
def test_services_round_trip_through_the_cookie(categories: set[str], services: set[str]) -> None:
    consent = Consent(
        decided=True,
        granted=granted_set(categories),
        decided_at=datetime.now(UTC),
        consent_id=new_consent_id(),
        method="custom",
        services=frozenset(services),
    )
    value = codec().dumps(consent)
    restored = codec().loads(value)
    expected = services | {service for service, category in SERVICES.items() if category in categories}
    assert restored.services == expected
    assert restored.granted == consent.granted
    assert len(value) < 128


def test_a_cookie_written_before_services_still_reads() -> None:
    old = codec()
    consent_id = new_consent_id()
    value = old._signer.sign(f"1.4.c.{consent_id}.{policy_hash('2026-11-01')}").decode()
    restored = old.loads(value)
    assert restored.decided
    assert restored.method == "custom"
    assert restored.consent_id == consent_id
    assert restored.allows("marketing")
    assert not restored.allows("analytics")
    assert restored.services == {"meta-pixel", "youtube"}  # marketing's services come with it


def test_a_service_the_site_dropped_is_no_longer_allowed() -> None:
    consent = Consent(
        decided=False, consent_id=new_consent_id(), method="service", services=frozenset({"youtube", "meta-pixel"})
    )
    value = codec().dumps(consent)
    fewer = ConsentCookieCodec("k1", "2026-11-01", YEAR, services={"youtube": "marketing"})
    assert fewer.loads(value).services == {"youtube"}


def test_the_service_method_is_only_for_the_undecided() -> None:
    with pytest.raises(ValueError, match='method "service"'):
        codec().dumps(Consent(decided=True, consent_id=new_consent_id(), method="service"))
    with pytest.raises(ValueError, match='method "service"'):
        codec().dumps(Consent(decided=False, consent_id=new_consent_id(), method="custom"))


@pytest.fixture
def youtube_site(make_middleware: Factory) -> Client:
    return Client(make_middleware(cookie_app(*YOUTUBE_AND_META), cfg=config_from(WITH_YOUTUBE)))


def set_cookie_names(response: Any) -> set[str]:
    return {value.split("=", 1)[0] for value in response.headers.getlist("Set-Cookie")}


def test_a_placeholder_allows_youtube_alone_and_the_visitor_stays_undecided(
    youtube_site: Client, store: ListStore
) -> None:
    response = youtube_site.post("/consentkit/consent", data={"choice": "service", "service": "youtube", "next": "/"})
    assert response.status_code == 303
    state = youtube_site.get("/consentkit/consent").json
    assert state["decided"] is False  # the banner keeps asking about the rest
    assert state["method"] == "service"
    assert state["services"] == {"google-analytics": False, "meta-pixel": False, "youtube": True}
    assert state["categories"]["marketing"] is False
    # YouTube's cookie passes; Meta's and the site's own marketing cookie stay blocked.
    assert set_cookie_names(youtube_site.get("/")) == {"VISITOR_INFO1_LIVE"}
    (record,) = store.saved
    assert record.method == "service"
    assert record.granted == ()
    assert record.services_granted == ("youtube",)
    assert record.services_denied == ("google-analytics", "meta-pixel")
    assert record.to_json()["services_granted"] == ["youtube"]


def test_the_banner_is_still_shown_after_a_placeholder_choice(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(WITH_YOUTUBE))
    client = Client(middleware)
    client.post("/consentkit/consent", data={"choice": "service", "service": "youtube"})
    cookie = client.get_cookie("consentkit")
    assert cookie is not None
    consent = middleware.codec.loads(cookie.value)
    html = str(middleware.renderer.banner(locale="nb", base="/consentkit", consent=consent, next_path="/"))
    # The visitor's own YouTube choice shows as ticked; nothing else is.
    ticked = [box.attrs["value"] for box in elements(html, "input") if "checked" in box.attrs and "name" in box.attrs]
    assert ticked == ["youtube"]


def test_a_decision_after_a_placeholder_keeps_the_consent_id(youtube_site: Client, store: ListStore) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "service", "service": "youtube"})
    youtube_site.post("/consentkit/consent", data={"choice": "custom", "category": "analytics", "service": "youtube"})
    first, second = store.saved
    assert first.consent_id == second.consent_id
    assert second.method == "custom"
    assert second.services_granted == ("google-analytics", "youtube")
    state = youtube_site.get("/consentkit/consent").json
    assert state["decided"] is True


def test_a_placeholder_after_a_decision_adds_the_service_and_keeps_the_rest(
    youtube_site: Client, store: ListStore
) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "custom", "category": "analytics"})
    youtube_site.post("/consentkit/consent", data={"choice": "service", "service": "youtube"})
    state = youtube_site.get("/consentkit/consent").json
    assert state["decided"] is True
    assert state["categories"]["analytics"] is True
    assert state["services"]["youtube"] is True
    assert store.saved[-1].method == "custom"


def test_a_ticked_category_grants_all_its_services(youtube_site: Client) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "custom", "category": "marketing"})
    assert youtube_site.get("/consentkit/consent").json["services"] == {
        "google-analytics": False,
        "meta-pixel": True,
        "youtube": True,
    }


def test_json_takes_services(youtube_site: Client) -> None:
    response = youtube_site.post("/consentkit/consent", json={"choice": "custom", "services": ["meta-pixel"]})
    assert response.json["services"]["meta-pixel"] is True
    assert response.json["categories"]["marketing"] is False
    assert set_cookie_names(youtube_site.get("/")) == {"_fbp"}


def test_withdrawing_a_service_expires_its_cookies(youtube_site: Client, store: ListStore) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "custom", "service": ["youtube", "meta-pixel"]})
    youtube_site.set_cookie("_fbp", "1")
    response = youtube_site.post("/consentkit/consent", data={"choice": "custom", "service": "youtube"})
    assert "_fbp" in {value.split("=")[0] for value in response.headers.getlist("Set-Cookie") if "Max-Age=0" in value}
    # What was pressed is kept; what it took back is logged beside it (a service allowed alone, here).
    assert store.saved[-1].method == "custom"
    assert store.saved[-1].withdrawn == ("meta-pixel",)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        pytest.param({"choice": "custom", "service": "vimeo"}, "'vimeo' is not a service this site offers", id="off"),
        pytest.param({"choice": "service", "service": "<b>"}, "'<b>' is not a service", id="hostile"),
    ],
)
def test_an_unknown_service_is_a_400(youtube_site: Client, form: dict[str, str], message: str) -> None:
    response = youtube_site.post("/consentkit/consent", data=form, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert message in response.json["detail"]


@pytest.mark.parametrize("services", [[{}], [["youtube"]], "youtube", [None]])
def test_hostile_json_services_get_a_400(youtube_site: Client, services: object) -> None:
    response = youtube_site.post("/consentkit/consent", json={"choice": "custom", "services": services})
    assert response.status_code == 400
    response = youtube_site.post("/consentkit/consent", json={"choice": "custom", "categories": services})
    assert response.status_code == 400


def test_gpc_told_by_the_script_refuses_for_the_undecided_and_keeps_services(
    youtube_site: Client, store: ListStore
) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "service", "service": "youtube"})
    response = youtube_site.post("/consentkit/consent", json={"choice": "gpc"})
    assert response.json["decided"] is True
    assert response.json["method"] == "gpc"
    assert response.json["services"]["youtube"] is True
    assert store.saved[-1].method == "gpc"
    assert store.saved[0].consent_id == store.saved[-1].consent_id


def test_gpc_told_by_the_script_never_overrides_a_choice(youtube_site: Client, store: ListStore) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "accept_all"})
    response = youtube_site.post("/consentkit/consent", json={"choice": "gpc"})
    assert response.json["method"] == "accept_all"
    assert response.json["categories"]["marketing"] is True
    assert len(store.saved) == 1


def test_gpc_told_by_the_script_means_nothing_when_the_site_ignores_gpc(make_middleware: Factory) -> None:
    client = Client(make_middleware(cfg=config_from(WITH_YOUTUBE, honor_gpc=False)))
    response = client.post("/consentkit/consent", json={"choice": "gpc"})
    assert response.json["decided"] is False
    assert client.get_cookie("consentkit") is None


def test_the_gpc_header_keeps_a_service_allowed_alone(youtube_site: Client) -> None:
    youtube_site.post("/consentkit/consent", data={"choice": "service", "service": "youtube"})
    response = youtube_site.get("/", headers={"Sec-GPC": "1", "Sec-Fetch-Dest": "document"})
    assert set_cookie_names(response) == {"VISITOR_INFO1_LIVE", "consentkit"}


@pytest.mark.parametrize(("categories", "services"), list(itertools.product([(), ("marketing",)], [(), ("youtube",)])))
def test_the_dialog_keeps_category_and_service_boxes_consistent(
    make_middleware: Factory, categories: tuple[str, ...], services: tuple[str, ...]
) -> None:
    middleware = make_middleware(cfg=config_from(WITH_YOUTUBE))
    granted = granted_set(categories)
    consent = Consent(
        decided=True,
        granted=granted,
        consent_id=new_consent_id(),
        method="custom",
        services=frozenset(services) | ({"meta-pixel", "youtube"} if "marketing" in categories else set()),
    )
    html = str(middleware.renderer.dialog(locale="en", base="/consentkit", consent=consent, next_path="/"))
    boxes = {box.attrs["value"]: "checked" in box.attrs for box in elements(html, "input") if "name" in box.attrs}
    assert boxes["marketing"] == ("marketing" in categories)
    assert boxes["youtube"] == ("marketing" in categories or "youtube" in services)
    if boxes["marketing"]:
        assert boxes["meta-pixel"]
        assert boxes["youtube"]
    # Each service is listed under its own category, with its own box named for the form.
    services_of = {
        box.attrs["value"]: box.attrs["data-consentkit-in"] for box in elements(html, "input", name="service")
    }
    assert services_of == {"google-analytics": "analytics", "meta-pixel": "marketing", "youtube": "marketing"}
