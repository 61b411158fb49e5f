"""`make run`: the action server (5055) and Rasa with its REST channel (5005) on the
embedded defaults, then a terminal chat when there is a terminal. Without one (a service
manager, an outside test) it keeps serving until stopped. Stopping stops both servers."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bot.terminal import chat

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def start_server(*command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A server process in a session of its own, so stopping it stops its children too."""
    return subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True, env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, servers: list[subprocess.Popen], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if any(server.poll() is not None for server in servers) or time.monotonic() > deadline:
            raise SystemExit(f"a server did not start ({url}); see its output above")
        time.sleep(0.5)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.local", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    servers = [
        start_server(sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(args.actions_port)),
        start_server(str(bin_dir / "rasa"), "run", "--model", "models", "--port", str(args.rasa_port),
               "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{args.actions_port}/health", servers)
        wait_until_up(f"http://127.0.0.1:{args.rasa_port}/", servers)
        webhook = f"http://127.0.0.1:{args.rasa_port}/webhooks/rest/webhook"
        print(f"Lotse is listening: POST {webhook}", flush=True)
        if sys.stdin.isatty():
            chat(webhook, os.environ.get("LOTSE_LANGUAGE_CODE"))
        else:
            signal.signal(signal.SIGTERM, _stop)
            while all(server.poll() is None for server in servers):
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
