"""The workspace over a store of its own holding the pilot entries, with the demo accounts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine

from configuration import SharedSettings
from db import connect
from tests.conftest import BIELEFELD, pilot_store
from texts import newcomer_texts
from workspace.accounts import create_demo_accounts
from workspace.app import create_app
from workspace.settings import WorkspaceSettings

DEMO_PASSWORD = "demo-password-of-the-tests"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def workspace_engine(tmp_path) -> Iterator[Engine]:
    engine = connect(pilot_store(tmp_path / "lotse.db"))
    create_demo_accounts(engine, DEMO_PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc))


@pytest.fixture
def workspace_app(workspace_engine, clock):
    settings = WorkspaceSettings(secret_key="a-secret-of-the-tests", host="127.0.0.1", port=0, secure_cookies=True,
                                 session_lifetime=timedelta(hours=8),
                                 shared=SharedSettings(None, None, 90, "INFO"))
    app = create_app(settings, workspace_engine, BIELEFELD, newcomer_texts(), clock=clock)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(workspace_app):
    return workspace_app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the form on `path`, as a browser would send it back."""
    import re

    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def log_in(client, username: str, password: str = DEMO_PASSWORD):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})
