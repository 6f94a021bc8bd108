"""``daftar-server demo-data``: the seed's numbers, lawful histories, refusal of a used centre."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server import db
from sync.server.cli import main
from sync.server.demo import DEMO_PERIOD, LOW_CALL_NEIGHBOURHOODS, SEED_OUTCOMES, apportion
from sync.server.models import ChangeLog, Crew, District, Event, Reason, ServiceRequest
from sync.text import clean
from sync.workflow import Role, Status, bucket, can_transition

SEED_TABLE = {region: dict(zip(("done", "not_actionable", "in_progress"), counts))
              for region, counts in SEED_OUTCOMES.items()}


def fill(url: str, *args: str) -> int:
    return main(["--database-url", url, "demo-data", *args])


def scalars(url: str, statement: Any) -> list[Any]:
    engine = db.open_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(statement))
    finally:
        engine.dispose()


def outcome_table(url: str) -> dict[int, Counter[str]]:
    """region -> calls per outcome bucket, as the summary report counts them."""
    engine = db.open_engine(url)
    table: dict[int, Counter[str]] = defaultdict(Counter)
    try:
        with Session(engine) as session:
            pairs = session.execute(
                sa.select(District.region_number, ServiceRequest.status).join(
                    District, District.code == ServiceRequest.district_code
                )
            )
            for region, status in pairs:
                table[region][bucket(status).value] += 1
    finally:
        engine.dispose()
    return table


@pytest.fixture
def demo_url(centre_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A centre filled with a smaller demo than the default, to keep the tests quick."""
    assert fill(centre_url, "--requests", "800") == 0
    capsys.readouterr()
    return centre_url


def test_the_default_demo_reproduces_the_seed_table_exactly(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fill(centre_url) == 0
    out = capsys.readouterr().out
    assert "2854 requests" in out
    table = outcome_table(centre_url)
    assert {region: dict(counts) for region, counts in table.items()} == SEED_TABLE
    assert "2\t993\t698\t285\t10" in out


def test_other_sizes_keep_the_seed_proportions_per_region(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fill(centre_url, "--requests", "1000") == 0
    assert "1000 requests" in capsys.readouterr().out
    table = outcome_table(centre_url)
    seed_total = sum(sum(c) for c in SEED_OUTCOMES.values())
    assert sum(sum(c.values()) for c in table.values()) == 1000
    for region, seed in SEED_TABLE.items():
        calls = sum(table[region].values())
        assert abs(calls / 1000 - sum(seed.values()) / seed_total) < 0.002
        for outcome, seed_count in seed.items():
            assert abs(table[region][outcome] / calls - seed_count / sum(seed.values())) < 0.01


def test_apportion_adds_up_and_is_exact_when_it_can_be() -> None:
    assert apportion(2854, [404, 993, 645, 400, 412]) == [404, 993, 645, 400, 412]
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(7, [0.2, 0.3, 0.5])) == 7


def test_a_centre_with_requests_is_refused(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = scalars(demo_url, sa.select(sa.func.count()).select_from(ServiceRequest))
    assert fill(demo_url, "--requests", "5") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("daftar-server: error: the centre already holds 800 requests")
    assert scalars(demo_url, sa.select(sa.func.count()).select_from(ServiceRequest)) == before


def test_every_history_is_one_the_lifecycle_allows(demo_url: str) -> None:
    requests = {r.id: r for r in scalars(demo_url, sa.select(ServiceRequest))}
    crews = {c.id: c for c in scalars(demo_url, sa.select(Crew))}
    reasons = set(scalars(demo_url, sa.select(Reason.code)))
    histories: dict[Any, list[Event]] = defaultdict(list)
    for event in scalars(demo_url, sa.select(Event).order_by(Event.server_time, Event.id)):
        histories[event.request_id].append(event)
    assert set(histories) == set(requests)
    for request_id, events in histories.items():
        request = requests[request_id]
        first, last = events[0], events[-1]
        assert (first.kind, first.from_status, first.to_status) == ("created", None, "received")
        assert first.server_time == request.received_at
        for before, after in zip(events, events[1:]):
            assert after.from_status == before.to_status
            assert can_transition(Status(after.from_status), Status(after.to_status),
                                  Role(after.actor_role)), (after.from_status, after.to_status)
        assert last.to_status == request.status
        assert request.version == len(events)
        assert request.updated_at == last.server_time
        assert DEMO_PERIOD.contains(request.received_at)
        if request.status in ("done", "not_actionable"):
            assert request.closed_at == last.server_time >= request.received_at
        else:
            assert request.closed_at is None
        if request.status == "not_actionable":
            assert request.outcome_reason in reasons and last.reason == request.outcome_reason
        else:
            assert request.outcome_reason is None
        if request.status in ("assigned", "in_progress", "done"):
            crew = crews[request.crew_id]
            assert crew.district_code == request.district_code
            assert request.assigned_at is not None
        if request.duplicate_of is not None:
            assert request.outcome_reason == "duplicate"
            assert requests[request.duplicate_of].received_at <= request.received_at


def test_the_six_low_call_neighbourhoods_call_least(demo_url: str) -> None:
    calls = Counter(scalars(demo_url, sa.select(ServiceRequest.neighbourhood_code)))
    fewest = {code for code, _ in sorted(calls.items(), key=lambda kv: kv[1])[:6]}
    assert fewest == LOW_CALL_NEIGHBOURHOODS


def test_demo_rows_look_real(demo_url: str) -> None:
    requests = scalars(demo_url, sa.select(ServiceRequest).order_by(ServiceRequest.received_at))
    codes = [r.tracking_code for r in requests]
    assert all(len(c) == 10 and c.startswith("1405") and c.isdigit() for c in codes)
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    channels = Counter(r.channel for r in requests)
    assert channels.most_common(1)[0][0] == "phone"
    assert set(channels) <= {"phone", "web", "sms", "walk_in"}
    for request in requests:
        for text in (request.description, request.citizen_name, request.address):
            assert clean(text) == text  # Persian ی/ک, no stray spaces
        assert request.description and request.address
        assert request.citizen_phone and request.citizen_phone.startswith("0")
    assert len({r.description for r in requests}) > 50
    crews = scalars(demo_url, sa.select(Crew))
    districts = scalars(demo_url, sa.select(District.code))
    assert Counter(c.district_code for c in crews) == {d: 2 for d in districts}
    assert all(c.name.startswith("اکیپ") and c.supervisor and c.phone for c in crews)


def test_every_row_is_in_the_change_log(demo_url: str) -> None:
    log = scalars(demo_url, sa.select(ChangeLog).where(ChangeLog.entity != "reference"))
    counts = Counter(entry.entity for entry in log)
    total = {
        "crew": len(scalars(demo_url, sa.select(Crew.id))),
        "request": len(scalars(demo_url, sa.select(ServiceRequest.id))),
        "event": len(scalars(demo_url, sa.select(Event.id))),
    }
    assert counts == total
    district_of = {str(r.id): r.district_code for r in scalars(demo_url, sa.select(ServiceRequest))}
    for entry in log:
        if entry.entity == "request":
            assert entry.district_code == district_of[entry.entity_key]


def test_the_same_seed_gives_the_same_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def demo(name: str, seed: str) -> list[tuple[Any, ...]]:
        url = f"sqlite:///{tmp_path / name}"
        assert main(["--database-url", url, "migrate"]) == 0
        assert fill(url, "--requests", "200", "--seed", seed) == 0
        engine = db.open_engine(url)
        with Session(engine) as session:
            found = [
                tuple(row)
                for row in session.execute(
                    sa.select(ServiceRequest.tracking_code, ServiceRequest.received_at,
                              ServiceRequest.status, ServiceRequest.description,
                              ServiceRequest.citizen_name).order_by(ServiceRequest.tracking_code)
                )
            ]
        engine.dispose()
        return found

    first = demo("a.sqlite3", "7")
    assert demo("b.sqlite3", "7") == first
    assert demo("c.sqlite3", "8") != first


def test_demo_data_uses_the_reference_data_already_loaded(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = Path(__file__).resolve().parents[3] / "resources/reference/kashan-reference.json"
    assert main(["--database-url", centre_url, "reference", "load", str(reference)]) == 0
    log_before = scalars(centre_url, sa.select(sa.func.count()).select_from(ChangeLog))[0]
    assert fill(centre_url, "--requests", "50") == 0
    reference_entries = scalars(
        centre_url,
        sa.select(sa.func.count()).select_from(ChangeLog).where(ChangeLog.entity == "reference"),
    )
    assert reference_entries == [log_before]
