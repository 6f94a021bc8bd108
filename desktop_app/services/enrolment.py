"""Joining the centre: a data folder becomes an office's, once.

``daftar enroll`` and the first-run dialog both come here with the centre's address
and a one-time code.  The centre answers with the device's credential and who the
office is; both are kept in the sync state (:mod:`desktop_app.services.sync_state`),
and the desk's walk-in serials are raised to those the centre has seen, so that an
office enrolled again never hands out a tracking code twice.
"""

from __future__ import annotations

import httpx

from desktop_app.services import sync_state as state
from desktop_app.services.sync_state import OfficeIdentity
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.client import HttpTransport, SyncError, check_url
from sync.dates import utcnow
from sync.protocol import PROTOCOL_VERSION, EnrolRequest, EnrolResponse

def is_enrolled(store: Store) -> bool:
    with store.sessions() as session:
        return bool(state.read(session, state.CREDENTIAL))


def office_identity(store: Store) -> OfficeIdentity | None:
    """The office this folder belongs to (id, name, number, districts), if enrolled."""
    with store.sessions() as session:
        return state.stored_identity(session)


def enroll(store: Store, url: str, code: str, *, allow_insecure: bool = False,
           client: httpx.Client | None = None) -> OfficeIdentity:
    """Join the centre at ``url`` with a one-time code from ``daftar-server office add``.

    Refuses plain ``http://`` to another computer unless ``allow_insecure``; refuses a
    data folder that already belongs to another office — the centre checks that
    before it uses the code up, so the code still serves the office it is for.
    Enrolling again (after the centre revoked this device) keeps the folder's data
    and its place in the log."""
    base = check_url(url, allow_insecure=allow_insecure)
    mine = office_identity(store)
    with HttpTransport(base, client=client) as transport:
        answer = transport.call("POST", "/sync/enrol", EnrolResponse,
                                body=EnrolRequest(protocol_version=PROTOCOL_VERSION, code=code,
                                                  office_id=mine.office_id if mine else None))
    with store.sessions.begin() as session:
        known = state.stored_identity(session)
        if known is not None and known.office_id != answer.office.office_id:
            # Only a centre too old to check first gets here (the code is used up).
            raise SyncError("enrolled_elsewhere",
                            f"this data folder belongs to office {known.name}; enrol "
                            f"{answer.office.name} with another folder (--data-dir)")
        state.write(session, state.CENTRE_URL, base)
        state.write(session, state.ALLOW_INSECURE, allow_insecure)
        state.write(session, state.CREDENTIAL, answer.credential)
        state.write(session, state.OFFICE, answer.office.model_dump(mode="json"))
        state.write(session, state.ENROLLED_AT, utcnow().isoformat())
        for year, serial in answer.walk_in_serials.items():
            counter = session.get(m.WalkInSerial, year)
            if counter is None:
                session.add(m.WalkInSerial(year=year, serial=serial))
            else:
                counter.serial = max(counter.serial, serial)
    return OfficeIdentity.of(answer.office)
