"""A centre with the Kashan reference data, and the SMS pieces over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync import reference
from sync.server import db as centre_db
from sync.server.reference_io import load_reference
from sync.server.sms.outbox import Sender
from sync.server.sms.provider import LocalProvider
from sync.server.sms.settings import SmsSettings

SECRET = "s3cret-of-the-gateway"


@pytest.fixture
def sessions(centre_engine: sa.Engine) -> sessionmaker[Session]:
    factory = centre_db.session_factory(centre_engine)
    with factory.begin() as session:
        load_reference(session, reference.default())
    return factory


@pytest.fixture
def settings(tmp_path: Path) -> SmsSettings:
    return SmsSettings(folder=tmp_path / "sms", secret=SECRET, district="1-1",
                       lease_seconds=30, retry_seconds=0.01)


@pytest.fixture
def local(settings: SmsSettings) -> LocalProvider:
    return LocalProvider(settings.local_folder())


@pytest.fixture
def sender(sessions: sessionmaker[Session], local: LocalProvider, settings: SmsSettings) -> Iterator[Sender]:
    yield Sender(sessions, local, settings)
