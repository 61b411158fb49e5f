"""Production has no default accounts: the first administrator is made on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

from db import connect
from devtools.scratch import migrated
from tests.conftest import PROJECT_ROOT
from workspace.accounts import Role, list_accounts, log_in


def create_admin(database_url: str, name: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workspace", "create-admin", name, "--password-stdin"],
                          input=f"{password}\n", capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
                          env={**os.environ, "DATABASE_URL": database_url})


def test_the_first_administrator_is_created_on_the_command_line_and_can_log_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    migrated(url).dispose()
    engine = connect(url)
    assert list_accounts(engine) == []
    created = create_admin(url, "stadt-admin", "a-long-admin-password")
    assert created.returncode == 0, created.stderr
    account = log_in(engine, "stadt-admin", "a-long-admin-password", datetime.now(timezone.utc))
    assert account.roles == {Role.ADMIN}

    again = create_admin(url, "stadt-admin", "another-long-password")
    assert again.returncode == 1 and "taken" in again.stderr
    short = create_admin(url, "zweite", "kurz")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    assert [a.username for a in list_accounts(engine)] == ["stadt-admin"]
    engine.dispose()


def test_the_workspace_does_not_start_without_its_secret(tmp_path):
    result = subprocess.run([sys.executable, "-m", "workspace", "serve"], capture_output=True, text=True, timeout=120,
                            cwd=PROJECT_ROOT, env={key: value for key, value in os.environ.items()
                                                   if key != "LOTSE_WORKSPACE_SECRET"})
    assert result.returncode == 2 and "LOTSE_WORKSPACE_SECRET is not set" in result.stderr
