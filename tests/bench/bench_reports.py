"""Benchmark: the managers' summary reports on an office database of 1,000,000 requests.

Not collected by pytest (no ``test_`` prefix) and asserts nothing: the machine is
shared, so the numbers are printed for a person to read.  Targets (issue 6): each
report under 1 s to compute, under 3 s to a finished PDF.

    .venv/bin/python tests/bench/bench_reports.py [--rows N] [--runs 3] [--all] [--rebuild]
    .venv/bin/python tests/bench/bench_reports.py --scale 10000,100000,1000000

The database is built once with SQLAlchemy Core executemany (a few minutes; the
marker row in ``sync_state`` says it is complete) and kept in
``$TMPDIR/daftar-bench-reports-<N>`` for later runs.  Its requests span six Jalali
years, 1400 to 1405, growing year by year and inserted in time order as sync
delivers them; older ones are mostly closed, recent ones still open.  Reports are
timed for a month, the first half and the whole of 1405 (``--all`` adds the six
years); every timing is a median, each run on a fresh session, as wall and CPU time.

The centre's own report (``daftar report centre``) needs the requests' history: each
request the centre verified gets its referral event (``received → referred``, a few
hours after receipt), one in 30 a repeat call (some two), and the open ones their
deadline (``due_at``, receipt plus the category's target); added once to the same
database (its own marker), then timed like the summaries.  So are the citizens'
messages of an office whose centre sends SMS (about three ``sms_sent`` a request and
the 1-5 answers of two callers in five of the closed ones), which the summary's
satisfaction columns read: an archive without them would time a query that finds
nothing.

``--scale`` times the year's summary on offices of each size given (built the same
way, one folder each) and prints the CPU per request of the year: the growth.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from desktop_app.reports.summary import (  # noqa: E402
    GROUPINGS, compute_summary, least_calling, monthly_figures,
)
from desktop_app.cli.reports import cli_centre, cli_summary  # noqa: E402
from desktop_app.reports.centre_figures import compute_centre_report  # noqa: E402
from desktop_app.reports.persian import fa  # noqa: E402
from desktop_app.store import models as m  # noqa: E402
from desktop_app.store import reference as store_reference  # noqa: E402
from desktop_app.store.db import Store, open_store  # noqa: E402
from sync import reference  # noqa: E402
from sync.dates import UTC, Period  # noqa: E402
from sync.workflow import EventKind, Status  # noqa: E402

FIRST_YEAR, LAST_YEAR = 1400, 1405
BATCH = 50_000
MARKER = "bench_reports_rows"
HISTORY_MARKER = "bench_reports_history"
AS_OF = dt.datetime(2027, 3, 20, tzinfo=UTC)  # the end of 1405


def _rows(count: int, ref: reference.ReferenceSet) -> Iterator[dict[str, Any]]:
    rng = random.Random(137)
    places = [(n.district_code, n.code) for n in ref.neighbourhoods]
    categories = [(c.code, c.target_days) for c in ref.categories]
    channels = ("phone",) * 14 + ("web",) * 3 + ("sms",) * 2 + ("walk_in",)
    reasons = [r.code for r in ref.reasons]
    crews = {d.code: [uuid.UUID(f"00000000-0000-7000-8000-{i:04d}{j:08d}") for j in range(4)]
             for i, d in enumerate(ref.districts)}
    start = Period.jalali_year(FIRST_YEAR).start
    span = (Period.jalali_year(LAST_YEAR).end - start).total_seconds()
    for i in range(count):
        # Growth: the density of calls rises linearly over the six years.
        received = start + dt.timedelta(seconds=span * ((i + rng.random()) / count) ** 0.75)
        age = (AS_OF - received).days
        district, neighbourhood = places[rng.randrange(len(places))]
        category, target = categories[rng.randrange(len(categories))]
        roll = rng.random()
        if roll < (0.02 if age > 60 else 0.25):
            status = (Status.RECEIVED, Status.REFERRED, Status.ASSIGNED,
                      Status.IN_PROGRESS)[rng.randrange(4)]
        elif roll < 0.78:
            status = Status.DONE
        else:
            status = Status.NOT_ACTIONABLE
        closed = None
        if status in (Status.DONE, Status.NOT_ACTIONABLE):
            closed = received + dt.timedelta(hours=0.5 + rng.random() * target * 36)
        crew = None
        if status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.DONE):
            crew = crews[district][rng.randrange(4)]
        code = f"{i:010d}"
        yield dict(
            id=uuid.UUID(int=i + 1), tracking_code=code, received_at=received,
            channel=channels[rng.randrange(len(channels))], district_code=district,
            neighbourhood_code=neighbourhood, category_code=category,
            description="زباله‌ها دو روز است جمع‌آوری نشده و بوی آن کوچه را گرفته است",
            citizen_name="محمد حسینی", citizen_phone="09121234567",
            address="کاشان، خیابان بابا افضل، کوچه ۱۲", status=status.value, closed_at=closed,
            outcome_reason=reasons[rng.randrange(len(reasons))] if status == Status.NOT_ACTIONABLE
            else None,
            outcome_note="", crew_id=crew, version=1, updated_at=closed or received,
            search_text=f"{code} محمد حسینی 09121234567 کاشان خیابان بابا افضل",
        )


def build(folder: Path, count: int) -> Store:
    """The benchmark office, built once and reused while it holds ``count`` rows."""
    store = open_store(folder)
    with store.sessions() as session:
        built = session.get(m.SyncState, MARKER)
        if built is not None and built.value == count:
            return store
    store.close()
    for path in folder.glob("office.sqlite3*"):
        path.unlink()
    store = open_store(folder)
    ref = reference.load()
    began = time.perf_counter()
    with store.sessions.begin() as session:
        store_reference.install(session, ref)
        crews = [dict(id=uuid.UUID(f"00000000-0000-7000-8000-{i:04d}{j:08d}"),
                      district_code=d.code, name=f"اکیپ {fa(j + 1)} {d.name_fa}", supervisor="",
                      phone=None, active=True, version=1, updated_at=AS_OF)
                 for i, d in enumerate(ref.districts) for j in range(4)]
        session.execute(sa.insert(m.Crew.__table__), crews)
        rows = _rows(count, ref)
        insert = sa.insert(m.ServiceRequest.__table__)
        while batch := [row for _, row in zip(range(BATCH), rows)]:
            session.execute(insert, batch)
        session.merge(m.SyncState(key=MARKER, value=count))
    print(f"built {count:,} requests in {time.perf_counter() - began:.1f} s -> {folder}")
    return store


def add_history(store: Store, count: int) -> None:
    """Referral events, repeat calls and deadlines for the centre's report (once)."""
    with store.sessions() as session:
        built = session.get(m.SyncState, HISTORY_MARKER)
        if built is not None and built.value == count:
            return
    rng = random.Random(1405)
    began = time.perf_counter()
    events = m.Event.__table__
    r = m.ServiceRequest.__table__
    made = 0
    with store.sessions.begin() as session:
        session.execute(sa.delete(events))
        session.execute(sa.delete(m.SyncState.__table__).where(m.SyncState.key == SMS_MARKER))
        rows = session.execute(sa.select(r.c.id, r.c.received_at, r.c.closed_at, r.c.status)
                               .order_by(r.c.received_at)).all()
        batch: list[dict[str, Any]] = []
        for request_id, received, closed, status in rows:
            if status != Status.RECEIVED.value:
                hours = rng.expovariate(1 / 3)
                if closed is not None:
                    hours = min(hours, 0.9 * (closed - received).total_seconds() / 3600)
                at = received + dt.timedelta(hours=hours)
                batch.append(dict(id=uuid.uuid4(), request_id=request_id, kind=EventKind.STATUS.value,
                                  from_status="received", to_status="referred", reason=None,
                                  note="", data={}, actor="operator", actor_role="centre",
                                  office_id=None, client_time=at, server_time=at, mutation_id=None))
            if rng.random() < 1 / 30:
                for day in range(1, 2 + (rng.random() < 0.3)):
                    at = received + dt.timedelta(days=day)
                    batch.append(dict(id=uuid.uuid4(), request_id=request_id,
                                      kind=EventKind.REPEAT_CALL.value, from_status=None,
                                      to_status=None, reason=None, note="دوباره تماس گرفت",
                                      data={"phone": "09121234567"}, actor="operator",
                                      actor_role="centre", office_id=None, client_time=at,
                                      server_time=at, mutation_id=None))
            if len(batch) >= BATCH:
                session.execute(sa.insert(events), batch)
                made += len(batch)
                batch = []
        if batch:
            session.execute(sa.insert(events), batch)
            made += len(batch)
        # As the deadlines migration does: receipt plus the category's target days.
        session.execute(sa.text(
            "UPDATE requests SET due_at = datetime(received_at, '+' || (SELECT target_days FROM "
            "categories WHERE code = requests.category_code) || ' days') || substr(received_at, 20) "
            "WHERE status <> 'received'"))
        session.merge(m.SyncState(key=HISTORY_MARKER, value=count))
    print(f"added {made:,} history events and deadlines in {time.perf_counter() - began:.1f} s")


#: The citizens' messages (``sms_sent`` and their 1-5 ``satisfaction`` answers), as
#: an office with the SMS gateway on holds them: about three per request.
SMS_MARKER = "bench_reports_sms"
_SMS_EVENTS = (
    # (kind, purpose, the requests it goes to, its time)
    ("sms_sent", "registered", "1", "received_at"),
    ("sms_sent", "referred", "status <> 'received'", "received_at"),
    ("sms_sent", "closed", "closed_at IS NOT NULL", "closed_at"),
)


def add_sms(store: Store, count: int) -> None:
    """The SMS history of an office whose centre sends the citizens' messages
    (sync.server.sms.notify): ``registered`` for every request, ``referred`` for the
    verified ones, ``closed`` for the closed ones, and a satisfaction answer from two
    callers in five of those (scores 1-5, fixed by the tracking code).  Added once,
    with INSERT … SELECT: the summary's satisfaction columns read these events, and
    an archive without them would time a query that finds nothing."""
    with store.sessions() as session:
        built = session.get(m.SyncState, SMS_MARKER)
        if built is not None and built.value == count:
            return
    began = time.perf_counter()
    made = 0
    insert = ("INSERT INTO events (id, request_id, kind, from_status, to_status, reason, note, "
              "data, actor, actor_role, office_id, client_time, server_time, mutation_id) ")
    with store.sessions.begin() as session:
        session.execute(sa.text("DELETE FROM events WHERE kind IN ('sms_sent', 'satisfaction')"))
        for kind, purpose, which, at in _SMS_EVENTS:
            made += session.execute(sa.text(
                insert + f"SELECT lower(hex(randomblob(16))), id, '{kind}', NULL, NULL, NULL, "
                f"'پیام ۱۳۷', json_object('purpose', '{purpose}', 'gateway', 'local'), 'sms', "
                f"'centre', NULL, {at}, {at}, NULL FROM requests WHERE {which}")).rowcount
        made += session.execute(sa.text(
            insert + "SELECT lower(hex(randomblob(16))), id, 'satisfaction', NULL, NULL, NULL, "
            "'۵', json_object('score', 1 + CAST(tracking_code AS INTEGER) * 7 % 5), 'sms', "
            "'centre', NULL, closed_at, closed_at, NULL FROM requests "
            "WHERE closed_at IS NOT NULL AND CAST(tracking_code AS INTEGER) * 3 % 5 < 2")).rowcount
        session.merge(m.SyncState(key=SMS_MARKER, value=count))
    print(f"added {made:,} SMS events in {time.perf_counter() - began:.1f} s")


def timed(store: Store, work: Callable[[Any], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``work(session)``, each run on a fresh session.
    CPU time is what the report itself costs; wall time includes waiting for a core
    on a shared machine."""
    walls, cpus = [], []
    for _ in range(runs):
        with store.sessions() as session:
            wall, cpu = time.perf_counter(), time.process_time()
            work(session)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _line(label: str, cells: list[tuple[float, float]]) -> None:
    print(f"{label:<15}" + "".join(f"{wall:>9.2f}/{cpu:<7.2f}" for wall, cpu in cells))


def scale_curve(sizes: list[int], runs: int) -> int:
    """The year's summary by every grouping on offices of ``sizes`` requests (each
    built once, like the main run's, with its history and SMS): seconds wall/CPU,
    and the CPU per request of the year, whose constancy says the growth is linear."""
    year = Period.jalali_year(LAST_YEAR)
    results: dict[int, dict[str, tuple[float, float]]] = {}
    received: dict[int, int] = {}
    for size in sizes:
        store = build(Path(tempfile.gettempdir()) / f"daftar-bench-reports-{size}", size)
        add_history(store, size)
        add_sms(store, size)
        with store.sessions() as session:
            received[size] = compute_summary(session, year, "channel", as_of=AS_OF).totals.received
        results[size] = {by: timed(store, lambda s, b=by: compute_summary(s, year, b, as_of=AS_OF),
                                   runs) for by in GROUPINGS}
        results[size]["month by month"] = timed(
            store, lambda s: monthly_figures(s, year, as_of=AS_OF), runs)
        store.close()
        print(f"  {size:,} requests ({received[size]:,} in year {LAST_YEAR}) timed; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    print(f"\nsummary of year {LAST_YEAR}: seconds wall/cpu (median of {runs}), "
          f"then CPU µs per request of the year")
    print(f"{'':<15}" + "".join(f"{size:>17,}" for size in sizes) + "".join(
        f"{f'µs/req {size:,}':>16}" for size in sizes))
    for label in results[sizes[0]]:
        cells = [results[size][label] for size in sizes]
        per = [cpu / received[size] * 1e6 if received[size] else float("nan")
               for size, (_, cpu) in zip(sizes, cells)]
        print(f"{label:<15}" + "".join(f"{wall:>9.2f}/{cpu:<7.2f}" for wall, cpu in cells)
              + "".join(f"{p:>16.2f}" for p in per))
    first, last = sizes[0], sizes[-1]
    growth = statistics.median(results[last][by][1] / max(results[first][by][1], 1e-9)
                               for by in GROUPINGS)
    print(f"\nCPU growth {first:,} -> {last:,} requests (x{last / first:g}): "
          f"x{growth:.1f} (median over the groupings; linear would be x{last / first:g})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--centre-only", action="store_true",
                        help="skip the summary's PDFs (the centre's report and every figure are timed)")
    parser.add_argument("--all", action="store_true",
                        help="also report on the whole archive (six years), a stress case")
    parser.add_argument("--scale", type=lambda text: [int(n) for n in text.split(",")],
                        help="sizes, e.g. 10000,100000,1000000: the year's summary by every "
                             "grouping at each size (its own database), and the growth")
    args = parser.parse_args(argv)
    if args.scale:
        return scale_curve(args.scale, args.runs)
    folder = args.folder or Path(tempfile.gettempdir()) / f"daftar-bench-reports-{args.rows}"
    if args.rebuild:
        for path in folder.glob("office.sqlite3*"):
            path.unlink()
    store = build(folder, args.rows)
    add_history(store, args.rows)
    add_sms(store, args.rows)
    periods = {
        "month 1405/01": Period.jalali_month(LAST_YEAR, 1),
        "half 1405/1": Period.jalali_half(LAST_YEAR, 1),
        "year 1405": Period.jalali_year(LAST_YEAR),
    }
    if args.all:
        periods["1400-1405"] = Period(Period.jalali_year(FIRST_YEAR).first,
                                      Period.jalali_year(LAST_YEAR).last)
    with store.sessions() as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest))
        print(f"{total:,} requests in the database; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        for label, period in periods.items():
            received = compute_summary(session, period, "channel", as_of=AS_OF).totals.received
            print(f"  {label}: {received:,} received")

    header = f"{'':<15}" + "".join(f"{label:>17}" for label in periods)
    print(f"\ncompute, seconds wall/cpu (median of {args.runs})\n{header}")
    for by in GROUPINGS:
        _line(by, [timed(store, lambda s, p=p: compute_summary(s, p, by, as_of=AS_OF), args.runs)
                   for p in periods.values()])
    _line("month by month", [timed(store, lambda s, p=p: monthly_figures(s, p, as_of=AS_OF),
                                   args.runs) for p in periods.values()])
    _line("least calling", [timed(store, lambda s, p=p: least_calling(s, p), args.runs)
                            for p in periods.values()])
    _line("centre report", [timed(store, lambda s, p=p: compute_centre_report(s, p, as_of=AS_OF),
                                  args.runs) for p in periods.values()])
    with store.sessions() as session:
        centre = compute_centre_report(session, periods["year 1405"], as_of=AS_OF)
    t = centre.totals
    print(f"  (year 1405 at the centre: {t.received:,} received, {t.repeat_calls:,} repeat calls, "
          f"receipt to referral median {t.to_referral.median:.1f} h over {t.to_referral.count:,}, "
          f"referral to close median {t.referral_to_close.median:.1f} h, "
          f"{t.overdue:,} of {t.open_with_deadline:,} open overdue)")
    cells = []
    for period in periods.values():
        command = argparse.Namespace(date_from=period.first, date_to=period.last,
                                     format="pdf", out=folder / "centre.pdf")
        with contextlib.redirect_stdout(io.StringIO()):
            cells.append(timed(store, lambda _s, c=command: cli_centre(store, c), args.runs))
    print(f"\n`daftar report centre --format pdf`, seconds wall/cpu (median of {args.runs})"
          f"\n{header}")
    _line("centre", cells)
    if args.centre_only:
        store.close()
        return 0

    # The command's own path: read-only session, figures, trend, least calling, PDF.
    out = folder / "bench.pdf"
    print(f"\n`daftar report summary --format pdf`, seconds wall/cpu (median of {args.runs})"
          f"\n{header}")
    for by in GROUPINGS:
        cells = []
        for period in periods.values():
            command = argparse.Namespace(report="summary", date_from=period.first, date_to=period.last,
                                         by=by, format="pdf", out=out)
            with contextlib.redirect_stdout(io.StringIO()):
                cells.append(timed(store, lambda _s, c=command: cli_summary(store, c), args.runs))
        _line(by, cells)
    print(f"\nlast PDF: {out} ({out.stat().st_size:,} bytes)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
