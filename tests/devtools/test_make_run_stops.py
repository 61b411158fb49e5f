"""`make run` (`python -m devtools.local`) stops every server it started (the workspace too), whether it is
stopped while Rasa is still loading or once everything is up, by SIGTERM, or because `make`
itself went away: none of its servers is left running or listening."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devtools.local import free_port, wait_until_up
from tests.conftest import PROJECT_ROOT
from tests.helpers.telegram import wait_for

pytestmark = [pytest.mark.model, pytest.mark.stack]  # starts its own servers


def servers_on(ports: list[int]) -> list[str]:
    """The command lines of running processes serving one of `ports` (`--port N`) or talking
    to one (the adapter finds Rasa and the Bot API through its environment)."""
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            words = (process / "cmdline").read_bytes().decode(errors="replace").split("\0")
            environment = (process / "environ").read_bytes().decode(errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        serving = any(word == "--port" and following in {str(port) for port in ports}
                      for word, following in itertools.pairwise(words))
        talking = any(f"=http://127.0.0.1:{port}\0" in environment for port in ports)
        if serving or talking or any(f"LOTSE_WORKSPACE_PORT={port}\0" in environment for port in ports):
            found.append(" ".join(words))
    return found


def launch(tmp_path: Path, ports: list[int], *, through_shell: bool = False) -> subprocess.Popen:
    rasa, actions, bot_api, tryout, workspace = ports
    command = [sys.executable, "-m", "devtools.local", "--rasa-port", str(rasa), "--actions-port", str(actions),
               "--bot-api-port", str(bot_api), "--tryout-port", str(tryout), "--workspace-port", str(workspace)]
    if through_shell:  # as under `make`: the launcher is a child of another process
        command = ["sh", "-c", f"{' '.join(command)} & wait"]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=through_shell, env={
                                **os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'lotse.db'}",
                                "LOTSE_PSEUDONYM_KEY": "stop-test"})


def wait_until_gone(ports: list[int], seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := servers_on(ports)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_sigterm_while_rasa_is_still_loading_stops_what_had_started(tmp_path):
    ports = [free_port() for _ in range(5)]
    launcher = launch(tmp_path, ports)
    try:
        wait_until_up(f"http://127.0.0.1:{ports[1]}/health", [launcher], seconds=120)  # the action server, first
        assert servers_on(ports)
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert servers_on(ports) == []  # the launcher waits for every server before it exits


def test_sigterm_once_everything_is_up_stops_every_server(tmp_path):
    ports = [free_port() for _ in range(5)]
    launcher = launch(tmp_path, ports)
    try:
        wait_until_up(f"http://127.0.0.1:{ports[3]}/", [launcher], seconds=240)  # the try-out page
        wait_for(lambda: len(servers_on(ports)) == 5, seconds=60)  # and the adapter, started last
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert servers_on(ports) == []
    for port in ports:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            raise AssertionError(f"port {port} still answers")
        except httpx.ConnectError:
            pass


def test_when_make_goes_away_the_launcher_stops_every_server(tmp_path):
    ports = [free_port() for _ in range(5)]
    make = launch(tmp_path, ports, through_shell=True)
    try:
        wait_until_up(f"http://127.0.0.1:{ports[3]}/", [make], seconds=240)
    finally:
        os.kill(make.pid, signal.SIGKILL)  # only the parent, as `kill -9 <make>` would
        make.wait(timeout=10)
    assert wait_until_gone(ports) == []
