"""`make run`: the action server (5055), Rasa with its REST channel (5005), the coordinators'
workspace (8090, demo accounts with LOTSE_DEMO_PASSWORD, default lotse-demo) and the Telegram
adapter on the embedded defaults. Without TELEGRAM_BOT_TOKEN the adapter talks to a fake
Telegram Bot API (8081), and a try-out page (8080) shows a newcomer's chat next to the
advisors' group; with a token it talks to Telegram. Then a terminal chat over the REST channel
when there is a terminal; without one (a service manager, an outside test) it keeps serving
until stopped. Stopping stops every server.

Every server listens on 127.0.0.1 only. One secret (RASA_TOKEN, else made for this run) guards
Rasa's HTTP API, its channel for the adapter and the action server: Rasa alone may call the
action server, and the adapter alone may speak in a newcomer's name."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
import yaml

from bot.rasa_client import CHANNEL, SECRET_HEADER
from db import connect, migrate
from devtools.terminal import chat
from workspace.accounts import DEMO_ACCOUNTS, create_demo_accounts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_REDIS = ("127.0.0.1", 6379)
DEFAULT_DEMO_PASSWORD = "lotse-demo"
DEMO_NAMES = tuple(name for name, _, _ in DEMO_ACCOUNTS)


def start_server(*command: str, env: dict[str, str] | None = None, output: IO | None = None) -> subprocess.Popen:
    """A server process in a session of its own, so stopping it stops its children too; its
    output goes to `output` (a test reading the logs), else to this process's."""
    return subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True, env={**os.environ, **(env or {})},
                            preexec_fn=_signals_unblocked,
                            stdout=output, stderr=subprocess.STDOUT if output else None)


def _signals_unblocked() -> None:
    """In the new server, before it runs: no signal blocked (a mask is inherited, and
    `recorded` starts servers with the stop signals held back)."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


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
            if httpx.get(url, timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        if any(server.poll() is not None for server in servers) or time.monotonic() > deadline:
            raise SystemExit(f"a server did not start ({url}); see its output above")
        time.sleep(0.5)


def migrate_database(env: dict[str, str] | None) -> None:
    """The migrate step of the try-out: the database a server is given (DATABASE_URL in `env`,
    else the embedded default) brought to the newest schema before the server checks it."""
    engine = connect({**os.environ, **(env or {})}.get("DATABASE_URL"))
    migrate(engine)
    engine.dispose()


def start_actions(port: int, token: str, env: dict[str, str] | None = None,
                  output: IO | None = None) -> subprocess.Popen:
    """The action server on loopback, answering only calls that carry `token` (Rasa's)."""
    migrate_database(env)
    return start_server(sys.executable, "-m", "actions", "--port", str(port),
                        env={**(env or {}), "ACTION_SERVER_TOKEN": token}, output=output)


def start_rasa(port: int, token: str, endpoints: Path, env: dict[str, str] | None = None,
               action_token: str | None = None, output: IO | None = None) -> subprocess.Popen:
    """A Rasa server on loopback with the trained model: the adapter's channel and the HTTP
    API behind `token`; it shows the action server `action_token` (else the same token)."""
    return start_server(sys.executable, "-m", "rasa_server.serve", "--interface", "127.0.0.1", "--model", "models",
                        "--port", str(port), "--credentials", "credentials.yml", "--endpoints", str(endpoints),
                        env={**(env or {}), "RASA_TOKEN": token, "ACTION_SERVER_TOKEN": action_token or token},
                        output=output)


def production_rasa_environment(postgres: str, database: str, action_endpoint: str,
                                lock_prefix: str) -> dict[str, str]:
    """What endpoints.production.yml reads, for a Rasa whose tracker store is `database` on the
    PostgreSQL server of the URL `postgres` and whose locks are in this machine's Redis.
    `lock_prefix` must be alphanumeric (Rasa ignores any other)."""
    server = urlsplit(postgres)
    return {
        "ACTION_ENDPOINT_URL": action_endpoint, "POSTGRES_HOST": server.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(server.port or 5432), "POSTGRES_DB": database, "POSTGRES_USER": server.username or "",
        "POSTGRES_PASSWORD": server.password or "", "REDIS_HOST": LOCAL_REDIS[0], "REDIS_PORT": str(LOCAL_REDIS[1]),
        "REDIS_DB": "0", "REDIS_PASSWORD": "", "RASA_LOCK_PREFIX": lock_prefix,
    }


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def recorded(servers: list[subprocess.Popen], start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
    """Starts a server and adds it to `servers` with Ctrl-C and the stop signals held back in
    between, so that no interruption can leave a started server out of the list that is stopped."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *STOP_SIGNALS})
    try:
        server = start()
        servers.append(server)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return server


def start_lotse(rasa_port: int, actions_port: int, token: str, env: dict[str, str] | None = None,
                endpoints: Path | None = None, output: IO | None = None,
                servers: list[subprocess.Popen] | None = None) -> list[subprocess.Popen]:
    """The action server and Rasa (REST channel and token-protected HTTP API), both up; Rasa on
    `endpoints` (whose values then come from `env`), else on the embedded defaults. Each is
    added to `servers` as it starts (a new list without it)."""
    servers = [] if servers is None else servers
    try:  # an interruption at any point stops what has started
        recorded(servers, lambda: start_actions(actions_port, token, env, output=output))
        recorded(servers, lambda: start_rasa(rasa_port, token, endpoints or _endpoints_for(actions_port), env=env,
                                             output=output))
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", servers)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", servers)
    except BaseException:
        stop(servers)
        raise
    return servers


def start_workspace(port: int, demo_password: str, env: dict[str, str] | None = None,
                    output: IO | None = None) -> subprocess.Popen:
    """The coordinators' workspace on loopback, over the try-out's store, with its demo
    accounts (an existing one keeps its password); sessions signed with a key of this run
    unless LOTSE_WORKSPACE_SECRET is set, cookies without the HTTPS-only flag (plain HTTP)."""
    environment = {**os.environ, **(env or {})}
    migrate_database(env)
    engine = connect(environment.get("DATABASE_URL"))
    create_demo_accounts(engine, demo_password)
    engine.dispose()
    return start_server(sys.executable, "-m", "workspace", "serve", output=output, env={
        **(env or {}), "LOTSE_WORKSPACE_PORT": str(port), "LOTSE_WORKSPACE_HOST": "127.0.0.1",
        "LOTSE_WORKSPACE_SECURE_COOKIES": "false",
        "LOTSE_WORKSPACE_SECRET": environment.get("LOTSE_WORKSPACE_SECRET") or secrets.token_urlsafe(32)})


def start_adapter(rasa_port: int, token: str, bot_api_port: int | None, tryout_port: int | None = None,
                  env: dict[str, str] | None = None, output: IO | None = None,
                  servers: list[subprocess.Popen] | None = None,
                  workspace: tuple[str, str] | None = None) -> list[subprocess.Popen]:
    """The Telegram adapter, talking to Rasa and, with `bot_api_port`, to a fake Telegram Bot
    API started here (with the try-out page on `tryout_port`, which names the `workspace`'s
    address and demo password); without it, to Telegram. Each process is added to `servers`
    as it starts (a new list without it)."""
    servers = [] if servers is None else servers
    adapter_env = {"RASA_URL": f"http://127.0.0.1:{rasa_port}", "RASA_TOKEN": token, **(env or {})}
    try:  # an interruption at any point stops what has started
        if bot_api_port is not None:
            page = ["--tryout-port", str(tryout_port)] if tryout_port else []
            if page and workspace:
                page += ["--workspace-url", workspace[0], "--demo-accounts", ",".join(DEMO_NAMES),
                         "--demo-password", workspace[1]]
            recorded(servers, lambda: start_server(sys.executable, "-m", "devtools.fake_telegram", "--port",
                                                   str(bot_api_port), *page))
            wait_until_up(f"http://127.0.0.1:{bot_api_port}/control/topics?chat_id=0", servers, seconds=30)
            adapter_env["LOTSE_BOT_API"] = f"http://127.0.0.1:{bot_api_port}"
        migrate_database(adapter_env)
        recorded(servers, lambda: start_server(sys.executable, "-m", "bot", env=adapter_env, output=output))
    except BaseException:
        stop(servers)
        raise
    return servers


def _endpoints_for(actions_port: int) -> Path:
    """endpoints.yml with the action server's port of this run."""
    settings = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    settings["action_endpoint"]["url"] = f"http://localhost:{actions_port}/webhook"
    path = PROJECT_ROOT / "var" / f"endpoints-{actions_port}.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def stop(servers: list[subprocess.Popen]) -> None:
    """Stops the servers, the last started first (the adapter before the APIs it calls); one
    that has not ended 30 s after SIGTERM is killed."""
    for server in reversed(servers):
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(server)


def kill(server: subprocess.Popen) -> None:
    """Kills a server without a chance to clean up, as a crash or power cut would (the fault tests)."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def _stop_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serves until Ctrl-C, SIGTERM or SIGHUP, or until `make` (its parent) is gone: each of
    these, even during the start-up, stops every server started so far. The servers run in
    sessions of their own, so nothing else would stop them."""
    parser = argparse.ArgumentParser(prog="python -m devtools.local", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--bot-api-port", type=int, default=8081, help="the fake Telegram Bot API (no token)")
    parser.add_argument("--tryout-port", type=int, default=8080, help="the try-out page (no token)")
    parser.add_argument("--workspace-port", type=int, default=8090, help="the coordinators' workspace")
    args = parser.parse_args(argv)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_signal)
    parent = os.getppid()
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(24)
    with_telegram = bool(os.environ.get("TELEGRAM_BOT_TOKEN"))
    servers: list[subprocess.Popen] = []
    try:
        start_lotse(args.rasa_port, args.actions_port, token, servers=servers)
        demo_password = os.environ.get("LOTSE_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        recorded(servers, lambda: start_workspace(args.workspace_port, demo_password))
        workspace_url = f"http://127.0.0.1:{args.workspace_port}"
        wait_until_up(f"{workspace_url}/login", servers, seconds=60)
        start_adapter(args.rasa_port, token, None if with_telegram else args.bot_api_port, args.tryout_port,
                      servers=servers, workspace=(workspace_url, demo_password))
        webhook = f"http://127.0.0.1:{args.rasa_port}{CHANNEL}"
        print(f"Lotse is listening: POST {webhook} with the header {SECRET_HEADER}: $RASA_TOKEN "
              "(set RASA_TOKEN before make run to choose it)", flush=True)
        print(f"Coordinators' workspace: {workspace_url} (accounts {', '.join(DEMO_NAMES)}; password "
              f"from LOTSE_DEMO_PASSWORD, else {DEFAULT_DEMO_PASSWORD})", flush=True)
        if not with_telegram:
            print(f"Try it in a browser: http://127.0.0.1:{args.tryout_port} (a newcomer's chat and the advisors' "
                  f"group); fake Telegram Bot API on http://127.0.0.1:{args.bot_api_port}", flush=True)
        if sys.stdin.isatty():
            chat(webhook, token, os.environ.get("LOTSE_LANGUAGE_CODE"))
        else:
            while all(server.poll() is None for server in servers) and os.getppid() == parent:
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for signum in (signal.SIGINT, *STOP_SIGNALS):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
        stop(servers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
