"""A completion photo required per category: the district manager turns the rule on
for a category (audited), and closing such a request as done without an ``after``
photo is refused with the field to fix and what to do; with one (kept before, or in
the same action) it closes.  Other categories and other moves are not touched."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError
from desktop_app.services import completion_photos as cp
from desktop_app.services.attachments import Attachments, Kind, NewFile
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.workflow import Status
from tests.factories import CLERK, CREW_A, MANAGER, SUPERVISOR, desk, make_request, office

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + os.urandom(2000)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def working(store: Store, category: str = "garbage") -> m.ServiceRequest:
    return make_request(store, status="in_progress", crew_id=CREW_A, category_code=category)


def status_of(store: Store, request: m.ServiceRequest) -> str:
    with store.sessions() as session:
        return session.get(m.ServiceRequest, request.id).status


def rule_entries(store: Store) -> list[tuple[str, str, bool]]:
    with store.sessions() as session:
        return [(e.actor, e.entity_key, e.details["required"]) for e in session.scalars(
            sa.select(m.AuditEntry).where(m.AuditEntry.action == cp.AUDIT_ACTION)
            .order_by(m.AuditEntry.id))]


def other_category(store: Store) -> str:
    with store.sessions() as session:
        return session.scalars(sa.select(m.Category.code).where(m.Category.code != "garbage")
                               .order_by(m.Category.code)).first()


def test_the_manager_sets_the_rule_per_category_and_each_change_is_audited(store: Store) -> None:
    other = other_category(store)
    rules = cp.set_required(store.sessions, MANAGER, ["garbage"])
    assert {r.code for r in rules if r.required} == {"garbage"}
    cp.set_required(store.sessions, MANAGER, ["garbage"])  # no change, no entry
    cp.set_required(store.sessions, MANAGER, [other])
    assert rule_entries(store)[0] == (MANAGER.username, "garbage", True)
    assert sorted(rule_entries(store)[1:]) == sorted([(MANAGER.username, "garbage", False),
                                                      (MANAGER.username, other, True)])
    assert {r.code for r in cp.category_rules(store.sessions) if r.required} == {other}


@pytest.mark.parametrize("actor", [CLERK, SUPERVISOR])
def test_only_the_manager_sets_the_rule(store: Store, actor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as refused:
        cp.set_required(store.sessions, actor, ["garbage"])
    assert refused.value.code == "role_not_allowed"
    assert rule_entries(store) == []


def test_an_unknown_category_is_refused(store: Store) -> None:
    with pytest.raises(ServiceError) as refused:
        cp.set_required(store.sessions, MANAGER, ["no-such"])
    assert (refused.value.code, refused.value.params["field"]) == ("unknown_category",
                                                                   "category_code")


def test_done_without_a_completion_photo_is_refused_with_its_field_and_what_to_do(
        store: Store) -> None:
    cp.set_required(store.sessions, MANAGER, ["garbage"])
    request = working(store)
    # A photo of another kind does not prove the work was done.
    Attachments(store.sessions, CLERK).attach(request.id, filename="before.jpg",
                                              media_type="image/jpeg", content=JPEG)
    with pytest.raises(ServiceError) as refused:
        desk(store).change_status([request.id], Status.DONE, note="جمع شد")
    error = refused.value
    assert error.code == "completion_photo_required"
    assert error.params["field"] == "completion_photo"
    assert error.params["tracking_code"] == request.tracking_code
    assert "attach one (kind: after work)" in str(error)
    assert status_of(store, request) == "in_progress"
    with store.sessions() as session:  # nothing of the refused action is kept
        assert session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)
                              .where(m.OutboxEntry.op == "change_status")) == 0
    assert [n.missing for n in cp.needs(store.sessions, [request.id])] == [True]


def test_done_with_a_completion_photo_closes(store: Store) -> None:
    cp.set_required(store.sessions, MANAGER, ["garbage"])
    request = working(store)
    Attachments(store.sessions, SUPERVISOR).attach(request.id, filename="after.jpg",
                                                   media_type="image/jpeg", content=JPEG,
                                                   kind=Kind.AFTER)
    assert [n.missing for n in cp.needs(store.sessions, [request.id])] == [False]
    desk(store).change_status([request.id], Status.DONE)
    assert status_of(store, request) == "done"


def test_the_photo_given_with_closing_is_kept_as_after_in_the_same_action(store: Store) -> None:
    cp.set_required(store.sessions, MANAGER, ["garbage"])
    request = working(store)
    desk(store).change_status([request.id], Status.DONE, completion_photo=NewFile(
        "done.jpg", "image/jpeg", JPEG, kind=Kind.BEFORE))  # the kind is made ``after``
    assert status_of(store, request) == "done"
    (kept,) = Attachments(store.sessions, CLERK).of_request(request.id)
    assert (kept.filename, kept.kind) == ("done.jpg", "after")


def test_a_refused_close_keeps_no_photo(store: Store) -> None:
    """The photo and the close are one action: the move refused (here: a request not
    yet being worked on, which cannot be done), the photo is not kept either."""
    request = make_request(store, status="received")
    with pytest.raises(ServiceError):
        desk(store).change_status([request.id], Status.DONE, completion_photo=NewFile(
            "done.jpg", "image/jpeg", JPEG))
    assert Attachments(store.sessions, CLERK).of_request(request.id) == []


def test_categories_without_the_rule_and_other_moves_are_not_touched(store: Store) -> None:
    cp.set_required(store.sessions, MANAGER, ["garbage"])
    free = working(store, other_category(store))
    desk(store).change_status([free.id], Status.DONE)
    assert status_of(store, free) == "done"
    ruled = working(store)
    desk(store, MANAGER).change_status([ruled.id], Status.NOT_ACTIONABLE, reason="duplicate",
                                       duplicate_of=free.id)
    assert status_of(store, ruled) == "not_actionable"
