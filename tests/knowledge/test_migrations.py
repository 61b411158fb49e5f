"""Several replicas (action servers, adapters, the compose migrate step) open the same empty
database at the same moment: the schema is created once and every one of them starts."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

REPLICAS = 4


def test_replicas_starting_at_once_migrate_the_database_once(store_url):
    replicas = [subprocess.Popen([sys.executable, "-c", f"from knowledge.store import open_store; open_store({store_url!r})"],
                                 stderr=subprocess.PIPE, text=True) for _ in range(REPLICAS)]
    for replica in replicas:
        _, errors = replica.communicate(timeout=120)
        assert replica.returncode == 0, errors[-2000:]
    engine = sa.create_engine(store_url, future=True)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1
