"""``daftar-server apikey …``: the Open311 clients (the municipality's website, an
app) and their API keys.  A key is shown once, at ``add``; the centre keeps only its
hash.  ``revoke`` stops a key at once; the client's requests keep its name."""

from __future__ import annotations

import argparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import format_jalali_datetime, utcnow
from sync.server.cli_support import PROG, CliError, transaction
from sync.server.models import ApiClient, Open311Submission
from sync.server.open311.keys import hash_key, new_key
from sync.text import clean

NAME_LENGTH = 100


def _name(text: str) -> str:
    name = clean(text)
    if not name or len(name) > NAME_LENGTH or "\n" in name:
        raise CliError(f"a client name must be 1 to {NAME_LENGTH} characters on one line")
    return name


def _find(session: Session, text: str) -> ApiClient:
    name = _name(text)
    client = session.scalar(sa.select(ApiClient).where(ApiClient.name == name))
    if client is None:
        raise CliError(f"there is no Open311 client named {name!r} (see `{PROG} apikey list`)")
    return client


def _add(args: argparse.Namespace) -> int:
    name = _name(args.name)
    key = new_key()
    with transaction(args) as session:
        if session.scalar(sa.select(ApiClient.id).where(ApiClient.name == name)) is not None:
            raise CliError(f"an Open311 client named {name!r} already exists "
                           f"(see `{PROG} apikey list`)")
        session.add(ApiClient(name=name, key_hash=hash_key(key), created_at=utcnow()))
    print(f"Open311 client {name} added; its API key, shown only this once:")
    print(key)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        client = _find(session, args.name)
        if client.revoked_at is not None:
            raise CliError(f"the key of {client.name!r} is already revoked")
        client.revoked_at = utcnow()
    print(f"Open311 client {client.name}: key revoked")
    return 0


def _list(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        counts = {client_id: count for client_id, count in session.execute(
            sa.select(Open311Submission.client_id, sa.func.count())
            .group_by(Open311Submission.client_id))}
        for client in session.scalars(sa.select(ApiClient).order_by(ApiClient.created_at)):
            state = ("active" if client.revoked_at is None else
                     "revoked " + format_jalali_datetime(client.revoked_at, persian_digits=False))
            added = format_jalali_datetime(client.created_at, persian_digits=False)
            print(f"{client.name}\t{state}\tadded {added}\trequests: {counts.get(client.id, 0)}")
    return 0
