"""The schema belongs to the migrate step: several migrate steps started at once on an empty
database create it once; the models and the migrations describe the same tables; a service
or command meeting a database that is not migrated stops and says what to run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import cases.store  # noqa: F401  (the models register their tables with db.Base)
import knowledge.answers
import knowledge.store  # noqa: F401
import retention.job  # noqa: F401
import workspace.accounts  # noqa: F401
from db import Base, connect
from devtools.scratch import migrated
from tests.conftest import PROJECT_ROOT

REPLICAS = 4


def run(*command: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, timeout=120,
                          cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": database_url,
                                                 "ACTION_SERVER_TOKEN": "a-token", "LOTSE_WORKSPACE_SECRET": "a-key"})


def test_migrate_steps_starting_at_once_create_the_schema_once(store_url):
    steps = [subprocess.Popen([sys.executable, "-m", "db", "migrate"], stderr=subprocess.PIPE, text=True,
                              cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": store_url}) for _ in range(REPLICAS)]
    for step in steps:
        _, errors = step.communicate(timeout=120)
        assert step.returncode == 0, errors[-2000:]
    engine = sa.create_engine(store_url, future=True)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1


# SQLAlchemy 1.4 cannot reflect weekly_counts' expression index (COALESCE of the district),
# so it and Alembic skip comparing that one index and say so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migrations_build_exactly_the_tables_of_the_models(store_url):
    engine = migrated(store_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_commands_and_services_stop_on_a_database_that_is_not_migrated(tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    for command in (("knowledge", "sync"), ("knowledge", "report", "--html", str(tmp_path / "r.html")),
                    ("retention", "run"), ("actions", "--port", "0"), ("db", "check"), ("workspace", "serve"),
                    ("workspace", "create-admin", "someone")):
        refused = run(*command, database_url=empty)
        assert refused.returncode != 0, command
        assert "python -m db migrate" in refused.stderr and "none (empty)" in refused.stderr, refused.stderr[-500:]
    engine = connect(empty)
    assert sa.inspect(engine).get_table_names() == []  # nobody created a table behind the migrate step's back
    engine.dispose()
    assert run("db", "migrate", database_url=empty).returncode == 0
    assert run("db", "check", database_url=empty).returncode == 0
