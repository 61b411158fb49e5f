"""`make run`: the action server (5055) and Rasa with its REST channel (5005) on the
embedded defaults, then a terminal chat when there is a terminal. Without one (a service
manager, an outside test) it keeps serving until stopped. Stopping stops both servers.

Rasa's HTTP API is on too, behind a token made for this run: the action server uses it to
erase a conversation on `/delete`."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from bot.terminal import chat

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def start_server(*command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A server process in a session of its own, so stopping it stops its children too."""
    return subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True, env={**os.environ, **(env or {})})


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now and not handed out before in this process (the OS may offer a port
    again as soon as the probe closes it, before the server it was meant for has bound it)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


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


def start_lotse(rasa_port: int, actions_port: int, token: str, env: dict[str, str] | None = None) -> list[subprocess.Popen]:
    """The action server and Rasa (REST channel and token-protected HTTP API), both up."""
    endpoints = _endpoints_for(actions_port)
    servers = [
        start_server(sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port),
                     env={**(env or {}), "RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_TOKEN": token}),
        start_server(str(Path(sys.executable).with_name("rasa")), "run", "--model", "models", "--port", str(rasa_port),
                     "--credentials", "credentials.yml", "--endpoints", str(endpoints), "--enable-api",
                     "--auth-token", token, env=env),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", servers)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", servers)
    except BaseException:
        stop(servers)
        raise
    return servers


def start_adapter(rasa_port: int, token: str, bot_api_port: int, env: dict[str, str] | None = None) -> list[subprocess.Popen]:
    """The fake Telegram Bot API and the Telegram adapter talking to it and to Rasa."""
    fake = start_server(sys.executable, "-m", "bot.fake_telegram", "--port", str(bot_api_port))
    try:
        wait_until_up(f"http://127.0.0.1:{bot_api_port}/control/topics?chat_id=0", [fake], seconds=30)
    except BaseException:
        stop([fake])
        raise
    adapter = start_server(sys.executable, "-m", "bot", env={
        **(env or {}), "RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_TOKEN": token,
        "LOTSE_BOT_API": f"http://127.0.0.1:{bot_api_port}"})
    return [fake, adapter]


def _endpoints_for(actions_port: int) -> Path:
    """endpoints.yml with the action server's port of this run."""
    settings = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    settings["action_endpoint"] = {"url": f"http://localhost:{actions_port}/webhook"}
    path = PROJECT_ROOT / "var" / f"endpoints-{actions_port}.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def stop(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        server.wait(timeout=30)


def _stop_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.local", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)
    servers = start_lotse(args.rasa_port, args.actions_port, secrets.token_urlsafe(24))
    try:
        webhook = f"http://127.0.0.1:{args.rasa_port}/webhooks/rest/webhook"
        print(f"Lotse is listening: POST {webhook}", flush=True)
        if sys.stdin.isatty():
            chat(webhook, os.environ.get("LOTSE_LANGUAGE_CODE"))
        else:
            signal.signal(signal.SIGTERM, _stop_signal)
            while all(server.poll() is None for server in servers):
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop(servers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
