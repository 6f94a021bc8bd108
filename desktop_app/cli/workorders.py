"""``daftar workorders``: work orders printed to one PDF, headless.

Requests are named as a clerk would type their tracking codes (any digits), crews
by name (any ی/ي, digits, spacing or ZWNJ) or id.  Printing and recording the
"work order issued" events is the window's use case
(:mod:`desktop_app.services.printing`), done as ``cli``, the built-in system user
of every office (:data:`sync.rules.SYSTEM_USERS`): nobody signs in as it, and the
centre takes from it only "work order issued", so the command line's prints are
recorded like any other while it can do nothing else in anyone's name.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.errors import ServiceError
from desktop_app.reports.workorders import load_crew_day
from desktop_app.services.printing import issue_crew_day, issue_work_orders
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.rules import CLI_USERNAME, SYSTEM_USERS
from sync.text import clean, search_key, to_latin_digits

#: Who the command line acts as: its prints are recorded like any other.
CLI_ACTOR = Actor(username=CLI_USERNAME, role=SYSTEM_USERS[CLI_USERNAME].role,
                  display_name="خط فرمان")


def request_ids(session: Session, codes: Sequence[str]) -> list[uuid.UUID]:
    """Tracking codes as typed (any digits) to request ids, in the order given, each once."""
    wanted = list(dict.fromkeys(to_latin_digits(clean(code)) for code in codes))
    found = {code: request_id for code, request_id in session.execute(
        sa.select(m.ServiceRequest.tracking_code, m.ServiceRequest.id)
        .where(m.ServiceRequest.tracking_code.in_(wanted))
    )}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ServiceError(
            "unknown_tracking_code",
            f"unknown tracking code(s): {', '.join(unknown)} — check the code, or run "
            "`daftar sync` if the request was referred to this office only just now",
            codes=unknown,
        )
    return [found[code] for code in wanted]


def find_crew(session: Session, crew: str) -> uuid.UUID:
    """A crew by its id or its name, as typed: any ی/ي, digits, spacing or ZWNJ."""
    text = clean(crew)
    try:
        crew_id = uuid.UUID(text)
    except ValueError:
        pass
    else:
        if session.get(m.Crew, crew_id) is not None:
            return crew_id
    crews = session.execute(sa.select(m.Crew.id, m.Crew.name, m.Crew.active)).all()
    matches = [c for c in crews if search_key(c.name) == search_key(text)]
    if len(matches) > 1:
        matches = [c for c in matches if c.active] or matches
    if len(matches) == 1:
        return matches[0].id
    if matches:
        raise ServiceError("ambiguous_crew",
                           f"more than one crew is called {text!r}: give the crew's id instead "
                           f"({', '.join(str(c.id) for c in matches)})", crew=text)
    names = ", ".join(sorted(c.name for c in crews if c.active)) or "none"
    raise ServiceError("unknown_crew", f"no crew {text!r}; the crews are: {names}", crew=text)


def cli_workorders(store: Store, args: argparse.Namespace) -> int:
    """``daftar workorders (--request CODE ... | --crew CREW --date D) --out FILE.pdf``."""
    out: Path = args.out
    with store.sessions() as session:
        if args.requests:
            ids, crew_id = request_ids(session, args.requests), None
            orders = len(ids)
        else:
            ids, crew_id = [], find_crew(session, args.crew)
            orders = len(load_crew_day(session, crew_id, args.date))
    if crew_id is None:
        issue_work_orders(store, CLI_ACTOR, ids, out, page_size=args.page_size)
    else:
        issue_crew_day(store, CLI_ACTOR, crew_id, args.date, out, page_size=args.page_size)
    if orders:
        print(f"{orders} work order(s) written to {out}")
    else:
        print(f"the crew has no open work: its cover alone was written to {out}")
    return 0
