"""Shared fixtures: the trained model is loaded once per test session from `models/`
(`make test` trains it first when it is missing or older than its data), with a real action
server whose knowledge store (SQLite) holds the pilot entries."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from actions import Resources
from cities import city_named
from db import connect
from devtools.local import LOCAL_REDIS, free_port, production_rasa_environment, start_actions, wait_until_up
from devtools.scratch import LOCAL_POSTGRES, migrated, scratch_database, scratch_store
from knowledge.search import KnowledgeBase
from knowledge.store import sync
from texts import newcomer_texts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIELEFELD = city_named("bielefeld")
PILOT_ENTRIES = BIELEFELD.entries
TEXTS = newcomer_texts().bound(BIELEFELD.phrase_values())  # what newcomers in Bielefeld are told


# What a fixture needs, as markers (pyproject.toml): every test using it, directly or through
# another fixture, gets them, so `-m "not stack"` and the like select by what is really needed.
NEEDS = {
    "agent": ("model", "stack"),  # the model in-process, talking to a running action server
    "action_server": ("stack",),
    "lotse_stack": ("model", "stack"),
    "production_stores": ("postgres", "redis"),
    "production_stack": ("model", "stack"),  # tests/deployment: Rasa as deployed
    "two_replicas": ("model", "stack"),
    "browser": ("browser",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marks in NEEDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                for mark in marks:
                    item.add_marker(mark)
        callspec = getattr(item, "callspec", None)  # only a parametrized test function has one
        if callspec and callspec.params.get("store_url") == "postgresql":
            item.add_marker("postgres")


# Store tests run on SQLite and on the machine's PostgreSQL (127.0.0.1:5432, trust auth,
# database `test`), each test in a schema of its own.
POSTGRES_URL = os.environ.get("LOTSE_TEST_POSTGRES_URL", LOCAL_POSTGRES)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lotse.db'}"
        return
    with scratch_store(POSTGRES_URL) as url:
        yield url


@pytest.fixture(scope="session")
def knowledge_store(tmp_path_factory) -> str:
    """The URL of a SQLite knowledge store holding the pilot entries."""
    return pilot_store(tmp_path_factory.mktemp("store") / "lotse.db")


def pilot_store(path: Path) -> str:
    """A new SQLite database at `path`, migrated and holding the pilot entries: its URL."""
    store = f"sqlite:///{path}"
    engine = migrated(store)
    sync(engine, PILOT_ENTRIES, BIELEFELD.district_names)
    engine.dispose()
    return store


@pytest.fixture
def resources(knowledge_store) -> Iterator[Resources]:
    """The actions' collaborators as the action server makes them: the pilot entries, an
    answer log, Bielefeld and its texts, 90 days of retention."""
    engine = connect(knowledge_store)
    yield Resources(knowledge=KnowledgeBase(engine), answer_log=engine, city=BIELEFELD,
                    texts=TEXTS, keep_days=90)
    engine.dispose()


ACTION_TOKEN = "action-token-of-the-tests"


@pytest.fixture(scope="session")
def action_server(knowledge_store) -> Iterator[str]:
    """The URL of a running action server answering from the pilot entries (to ACTION_TOKEN)."""
    port = free_port()
    server = start_actions(port, ACTION_TOKEN, env={"DATABASE_URL": knowledge_store})
    wait_until_up(f"http://127.0.0.1:{port}/health", [server], seconds=60)
    yield f"http://127.0.0.1:{port}/webhook"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def agent(action_server):
    from devtools.model import load_agent

    return load_agent(PROJECT_ROOT / "models", action_server=action_server, action_token=ACTION_TOKEN)


@pytest.fixture(scope="session")
def parse(agent) -> Iterator[Callable[[str], dict[str, Any]]]:
    """Parse one message with the trained model, as outside evaluation does."""
    from devtools.model import parse as parse_with

    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(parse_with(agent, text))
    loop.close()


@dataclass(frozen=True)
class ProductionStores:
    database_url: str  # Rasa's tracker store (SQL), a database of its own
    rasa_environment: Callable[[str], dict[str, str]]  # action endpoint -> what endpoints.production.yml reads


@pytest.fixture(scope="session")
def production_stores() -> Iterator[ProductionStores]:
    """Rasa's production stores for the tests that run Rasa as deployed: a tracker database on
    the machine's PostgreSQL and a lock prefix in its Redis, both removed afterwards. Tests
    keep apart by using senders of their own."""
    import redis

    prefix = f"lotsetest{uuid.uuid4().hex[:8]}"
    with scratch_database(POSTGRES_URL, "lotse_rasa") as (database, url):
        yield ProductionStores(url, functools.partial(production_rasa_environment, POSTGRES_URL, database,
                                                      lock_prefix=prefix))
    keys = redis.Redis(*LOCAL_REDIS).keys(f"{prefix}*")
    if keys:
        redis.Redis(*LOCAL_REDIS).delete(*keys)


CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser():
    """Debian's Chromium, headless, through ChromeDriver."""
    if CHROMEDRIVER is None:
        pytest.skip("Debian's chromium-driver is not installed (`make test` installs it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
