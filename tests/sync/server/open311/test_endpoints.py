"""Every Open311 endpoint, in JSON and in XML, held to the GeoReport v2 field rules
(:mod:`georeport_rules`), its errors included, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.server import operations as ops
from sync.server.models import Attachment, Event, Open311Submission, ServiceRequest
from sync.server.open311.routes import MAX_FORM_BYTES
from sync.workflow import Status
from tests.sync.server.open311 import georeport_rules as rules
from tests.sync.server.open311.support import Api, revoke_key

FORMATS = ["json", "xml"]


def items(response, root: str = "service_requests", item: str = "request") -> list[dict]:
    if response.headers["content-type"].startswith("text/xml"):
        return rules.xml_items(response.content, root, item)
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def errors(response, status: int) -> list[dict]:
    assert response.status_code == status, response.text
    found = items(response, "errors", "error")
    rules.check_errors(found, status)
    return found


def row(api: Api, code: str) -> ServiceRequest:
    with api.centre.sessions() as session:
        return session.scalars(sa.select(ServiceRequest).where(
            ServiceRequest.tracking_code == code)).one()


# ------------------------------------------------------------------ services


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_categories_in_persian_with_their_family_as_group(api: Api, fmt: str) -> None:
    response = api.get(f"services.{fmt}")
    assert response.status_code == 200
    services = items(response, "services", "service")
    for service in services:
        rules.check_service(service, xml=fmt == "xml")
    by_code = {s["service_code"]: s for s in services}
    assert len(by_code) == 13
    assert by_code["garbage"]["service_name"] == "جمع‌آوری زباله"
    assert by_code["garbage"]["group"] == by_code["street_cleaning"]["group"] != by_code["asphalt"]["group"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_in_english_by_locale_or_accept_language(api: Api, fmt: str) -> None:
    by_locale = items(api.get(f"services.{fmt}", locale="en_US"), "services", "service")
    by_header = items(api.client.get(f"/open311/v2/services.{fmt}",
                                     headers={"Accept-Language": "en-GB,fa;q=0.5"}), "services", "service")
    persian_first = items(api.client.get(f"/open311/v2/services.{fmt}",
                                         headers={"Accept-Language": "fa-IR,en;q=0.8"}), "services", "service")
    assert by_locale == by_header
    assert {s["service_name"] for s in by_locale} >= {"Garbage collection", "Asphalt"}
    assert "جمع‌آوری زباله" in {s["service_name"] for s in persian_first}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_the_neighbourhoods_that_place_a_request(api: Api, fmt: str) -> None:
    response = api.get(f"services/garbage.{fmt}", locale="en")
    assert response.status_code == 200
    if fmt == "xml":
        definition = rules.xml_object(response.content, "service_definition")
    else:
        definition = response.json()
    rules.check_definition(definition, xml=fmt == "xml")
    (attribute,) = definition["attributes"]
    assert attribute["code"] == "neighbourhood"
    assert {"key": "fin", "name": "Fin"} in attribute["values"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_is_404_in_the_standard_error_format(api: Api, fmt: str) -> None:
    errors(api.get(f"services/no_such.{fmt}"), 404)
    errors(api.get(f"requests/9999999999.{fmt}"), 404)
    errors(api.get(f"tokens/{uuid.uuid4()}.{fmt}"), 404)
    errors(api.get(f"tokens/not-a-token.{fmt}"), 404)


def test_an_unknown_format_or_path_is_404_in_the_standard_format(api: Api) -> None:
    errors(api.get("services.csv"), 404)
    errors(api.get("nothing.json"), 404)
    errors(api.get("nothing.xml"), 404)


# ------------------------------------------------------------------ POST


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_is_received_on_the_web_channel_and_audited(api: Api, fmt: str) -> None:
    response = api.post(fmt, service_code="asphalt", address_string="کاشان، محله سرسیاب، کوچه ۳",
                        description="چاله بزرگ", first_name="زهرا", last_name="کریمی",
                        phone="۰۹۱۲۱۲۳۴۵۶۷", email="z@example.com", lat="33.98", long="51.43",
                        media_url="https://photos.example/1.jpg", device_id="dev-1",
                        account_id="acc-7", **{"attribute[size]": "big"})
    assert response.status_code == 201, response.text
    (answer,) = items(response)
    rules.check_posted(answer)
    assert answer["account_id"] == "acc-7"
    request = row(api, answer["service_request_id"])
    assert (request.status, request.channel, request.neighbourhood_code, request.district_code) == \
        ("received", "web", "sarsiab", "2-1")
    assert (request.citizen_name, request.citizen_phone) == ("زهرا کریمی", "09121234567")
    with api.centre.sessions() as session:
        (event,) = session.scalars(sa.select(Event).where(Event.request_id == request.id))
        submission = session.get(Open311Submission, request.id)
    assert (event.kind, event.actor, event.to_status) == ("created", "website", "received")
    assert event.data["open311_client"] == "website"
    assert submission is not None
    assert (submission.media_url, submission.email, submission.attributes) == \
        ("https://photos.example/1.jpg", "z@example.com", {"size": "big"})
    assert answer["token"] == str(request.id)
    token = items(api.get(f"tokens/{answer['token']}.{fmt}"))
    assert token == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]


def test_the_neighbourhood_attribute_wins_over_the_address(api: Api) -> None:
    code = api.submit(address_id=None, address_string="نزدیک فین",
                      **{"attribute[neighbourhood]": "bazaar"})
    assert row(api, code).neighbourhood_code == "bazaar"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("form", "status", "words"), [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "d311_wrong"}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "no_such"}, 404, "service_code"),
    ({"address_id": None}, 400, "location"),
    ({"address_id": None, "lat": "33.9", "long": "51.4"}, 400, "neighbourhood"),
    ({"address_id": None, "address_string": "خیابان ناشناخته"}, 400, "neighbourhood"),
    ({"address_id": "atlantis"}, 400, "address_id"),
    ({"attribute[neighbourhood]": "atlantis"}, 400, "neighbourhood"),
    ({"lat": "33.9"}, 400, "lat and long"),
    ({"lat": "north", "long": "51"}, 400, "lat"),
    ({"lat": "95", "long": "51"}, 400, "lat"),
    ({"description": ""}, 400, "description"),
    ({"description": "x" * 4001}, 400, "description"),
    ({"phone": "12"}, 400, "phone"),
    ({"first_name": "ن" * 201}, 400, "first_name"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
    ({"device_id": "d" * 101}, 400, "device_id"),
])
def test_a_bad_post_gets_the_right_code_and_takes_nothing_in(
        api: Api, fmt: str, form: dict, status: int, words: str) -> None:
    values = {"api_key": api.key, "service_code": "garbage", "address_id": "fin",
              "description": "زباله", **form}
    data = {k: v for k, v in values.items() if v is not None}
    response = api.client.post(f"/open311/v2/requests.{fmt}", data=data)
    (error,) = errors(response, status)
    assert words in error["description"]
    with api.centre.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == 0


def test_a_revoked_key_is_refused(api: Api) -> None:
    api.submit()
    revoke_key(api.centre, "website")
    errors(api.post(service_code="garbage", address_id="fin", description="x"), 403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_that_is_not_a_form_or_too_large_is_refused(api: Api, fmt: str) -> None:
    url = f"/open311/v2/requests.{fmt}"
    errors(api.client.post(url, json={"api_key": api.key, "service_code": "garbage"}), 400)
    big = {"api_key": api.key, "service_code": "garbage", "address_id": "fin",
           "description": "ب" * MAX_FORM_BYTES}
    errors(api.client.post(url, data=big), 413)
    errors(api.client.post(url, content=b"x" * (9 * 1024 * 1024),
                           headers={"content-type": "application/x-www-form-urlencoded"}), 413)


# ------------------------------------------------------------------ GET


def _close(api: Api, code: str, target: Status, reason: str | None = None, note: str = "") -> None:
    request_id = row(api, code).id
    with api.centre.sessions.begin() as session:
        ops.refer(session, request_id, actor="operator")
        if target != Status.REFERRED:
            ops.change_status(session, request_id, target, actor="operator", reason=reason, note=note)


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_and_one_request_follow_the_field_rules(api: Api, fmt: str) -> None:
    open_code = api.submit(lat="33.99", long="51.44", media_url="https://p.example/a.jpg")
    closed_code = api.submit(service_code="asphalt", address_id="bazaar")
    _close(api, closed_code, Status.NOT_ACTIONABLE, reason="not_municipal", note="کار اداره برق است")
    listed = items(api.get(f"requests.{fmt}"))
    for request in listed:
        rules.check_request(request, xml=fmt == "xml")
    by_code = {r["service_request_id"]: r for r in listed}
    assert set(by_code) == {open_code, closed_code}
    assert by_code[open_code]["status"] == "open"
    assert by_code[open_code]["media_url"] == "https://p.example/a.jpg"
    assert by_code[open_code]["address_id"] == "fin"
    assert by_code[open_code]["agency_responsible"] == "ناحیه ۱ منطقه ۲"
    closed = by_code[closed_code]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "خارج از وظایف شهرداری: کار اداره برق است"
    (one,) = items(api.get(f"requests/{closed_code}.{fmt}"))
    rules.check_request(one, xml=fmt == "xml")
    assert one == closed
    english = items(api.get(f"requests/{closed_code}.{fmt}", locale="en"))[0]
    assert english["status_notes"].startswith("Not the municipality's responsibility")


def test_requests_filters_and_paging(api: Api) -> None:
    garbage = [api.submit() for _ in range(3)]
    asphalt = api.submit(service_code="asphalt")
    _close(api, garbage[0], Status.NOT_ACTIONABLE, reason="duplicate")

    def codes(**params) -> list[str]:
        response = api.get("requests.json", **params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert codes() == [asphalt, *reversed(garbage)]  # newest first
    assert codes(service_code="asphalt") == [asphalt]
    assert set(codes(service_code="asphalt,garbage")) == {asphalt, *garbage}
    assert codes(status="closed") == [garbage[0]]
    assert set(codes(status="open")) == {asphalt, garbage[1], garbage[2]}
    assert len(codes(status="open,closed")) == 4
    # service_request_id overrides every other filter.
    assert set(codes(service_request_id=f"{garbage[0]},{asphalt}", status="open")) == {garbage[0], asphalt}
    assert codes(page_size=2) == [asphalt, garbage[2]]
    assert codes(page_size=2, page=2) == [garbage[1], garbage[0]]
    assert codes(page_size=2, page=3) == []
    future = (utcnow() + dt.timedelta(days=1)).isoformat()
    assert codes(start_date=future) == []
    assert len(codes(end_date=future)) == 4


def test_without_dates_the_list_is_the_last_90_days(api: Api) -> None:
    recent = api.submit()
    old_at = utcnow() - dt.timedelta(days=120)
    with api.centre.sessions.begin() as session:
        old = ops.intake(session, district_code="1-1", category_code="garbage", description="قدیمی",
                         actor="operator", channel="phone", neighbourhood_code="bazaar",
                         received_at=old_at).tracking_code
    assert [r["service_request_id"] for r in api.get("requests.json").json()] == [recent]
    since = (old_at - dt.timedelta(days=1)).isoformat()
    assert {r["service_request_id"] for r in api.get("requests.json", start_date=since).json()} == {recent, old}
    (one,) = api.get(f"requests/{old}.json").json()
    assert one["requested_datetime"] == old_at.astimezone(dt.timezone(dt.timedelta(hours=3, minutes=30))).isoformat(timespec="seconds")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params", [
    {"start_date": "yesterday"}, {"end_date": "2026-12-01T10:00:00"}, {"status": "pending"},
    {"page": "0"}, {"page_size": "1001"}, {"page_size": "many"},
])
def test_bad_filters_are_400(api: Api, fmt: str, params: dict) -> None:
    errors(api.get(f"requests.{fmt}", **params), 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_closed_as_a_false_report_is_never_shown(api: Api, fmt: str) -> None:
    false = api.submit(description="همسایه‌ام فلانی زباله می‌ریزد")
    kept = api.submit()
    _close(api, false, Status.NOT_ACTIONABLE, reason="false_report", note="گزارش نادرست بود")
    listed = items(api.get(f"requests.{fmt}"))
    assert [r["service_request_id"] for r in listed] == [kept]
    errors(api.get(f"requests/{false}.{fmt}"), 404)
    assert items(api.get(f"requests.{fmt}", service_request_id=f"{false},{kept}"))[0]["service_request_id"] == kept
    token = str(row(api, false).id)
    errors(api.get(f"tokens/{token}.{fmt}"), 404)
    # Reopened, it is an ordinary request again.
    with api.centre.sessions.begin() as session:
        ops.change_status(session, row(api, false).id, Status.REFERRED, actor="operator")
    assert len(items(api.get(f"requests.{fmt}"))) == 2


def _photo(api: Api, code: str, *, kind: str = "citizen", internal: bool = False) -> uuid.UUID:
    """A photo of the request ``code`` as an office's push leaves it at the centre."""
    photo = uuid.uuid4()
    with api.centre.sessions.begin() as session:
        request_id = session.scalar(sa.select(ServiceRequest.id)
                                    .where(ServiceRequest.tracking_code == code))
        session.add(Attachment(id=photo, request_id=request_id, sha256="ab" * 32, size=10,
                               media_type="image/jpeg", kind=kind, internal=internal,
                               filename="a.jpg", added_by="clerk", added_at=utcnow()))
    return photo


def test_media_url_is_the_citizens_public_photo_at_the_centre(api: Api) -> None:
    given = api.submit(media_url="https://example.org/p.jpg")
    public, internal, crews = api.submit(), api.submit(), api.submit()
    photo = _photo(api, public)
    _photo(api, given)
    _photo(api, internal, internal=True)
    _photo(api, crews, kind="after")

    def media(code: str) -> object:
        return api.get(f"requests/{code}.json").json()[0]["media_url"]

    assert media(given) == "https://example.org/p.jpg"  # the client's own link stays
    assert media(public) == f"{api.client.base_url}/media/{photo}"
    assert media(internal) is None and media(crews) is None  # never internal, never the crew's
