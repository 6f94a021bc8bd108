"""What the request dialogs offer: the office's districts with their neighbourhoods,
the categories with their families, the closing reasons with the duplicate first,
an original found by its code however it is typed, and a new request's summary."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services.form_choices import (
    DUPLICATE,
    CategoryChoice,
    find_original,
    load_edit_choices,
    load_outcome_choices,
    load_registered,
    load_walk_in_choices,
    normalise_code,
)
from desktop_app.services.requests import WalkIn
from desktop_app.store.db import Store
from sync.workflow import Status
from tests.factories import desk, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def test_a_walk_in_is_offered_the_districts_of_the_office_with_their_neighbourhoods(
        store: Store) -> None:
    make_request(store, district_code="1-1", neighbourhood_code="bazaar")

    choices = load_walk_in_choices(store)

    # Before enrolment, the office's districts are those of its requests and crews.
    assert [d.code for d in choices.districts] == ["1-1"]
    (district,) = choices.districts
    assert district.names[0] == "ناحیه ۱ منطقه ۱"
    assert "bazaar" in {code for code, _ in district.neighbourhoods}
    garbage = next(c for c in choices.categories if c.code == "garbage")
    assert isinstance(garbage, CategoryChoice)
    assert garbage.names == ("جمع‌آوری زباله", "Garbage collection")
    assert all(c.family[0] for c in choices.categories)


def test_a_correction_is_offered_the_neighbourhoods_of_the_request_district_only(
        store: Store) -> None:
    walk_in = load_walk_in_choices(store)
    choices = load_edit_choices(store, "1-1")
    (district,) = [d for d in walk_in.districts if d.code == "1-1"]
    assert set(choices.neighbourhoods) == set(district.neighbourhoods)
    assert choices.categories == walk_in.categories
    assert load_edit_choices(store, "no-such-district").neighbourhoods == ()


def test_the_outcome_dialog_gets_codes_in_order_and_the_duplicate_reason_first(
        store: Store) -> None:
    first, second = make_request(store), make_request(store, status="assigned")

    choices = load_outcome_choices(store, [second.id, uuid.uuid4(), first.id])

    # In the order asked; one the office no longer has is left out.
    assert choices.tracking_codes == (second.tracking_code, first.tracking_code)
    assert choices.statuses == (Status.ASSIGNED, Status.REFERRED)
    codes = [code for code, _ in choices.reasons]
    assert codes[0] == DUPLICATE and codes[1:] == sorted(codes[1:]) and len(codes) > 1


def test_an_original_is_found_by_its_code_in_persian_digits_and_spaces(store: Store) -> None:
    request = make_request(store, tracking_code="1405000123")

    found = find_original(store, " ۱۴۰۵ ۰۰۰ ۱۲۳ ")

    assert found is not None
    assert (found.id, found.tracking_code, found.status) == (
        request.id, "1405000123", Status.REFERRED)
    assert found.category == ("جمع‌آوری زباله", "Garbage collection")
    assert found.neighbourhood is not None and found.neighbourhood[0] == "بازار"
    assert find_original(store, "1405999999") is None
    assert find_original(store, "  ") is None
    assert normalise_code("۱۴۰۵ ۰۰۱") == "1405001"


def test_a_registered_walk_in_is_summarised_with_its_names(store: Store) -> None:
    make_request(store)  # the office's district
    new = desk(store).register_walk_in(WalkIn(
        citizen_name="فاطمه نوری", citizen_phone="09131234567", district_code="1-1",
        neighbourhood_code="bazaar", category_code="garbage", description="چراغ خاموش است"))

    shown = load_registered(store, new.id)

    assert (shown.id, shown.tracking_code) == (new.id, new.tracking_code)
    assert shown.category == ("جمع‌آوری زباله", "Garbage collection")
    assert shown.neighbourhood is not None and shown.neighbourhood[0] == "بازار"
    assert shown.status is Status.REFERRED
