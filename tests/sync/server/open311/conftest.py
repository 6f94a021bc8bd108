"""A centre with the Kashan reference data and an Open311 client's key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.sync.client.harness import Centre
from tests.sync.server.open311.support import Api, issue_key


@pytest.fixture
def api(centre_engine: sa.Engine) -> Api:
    centre = Centre.on(centre_engine)
    return Api(centre, centre.client(), issue_key(centre))
