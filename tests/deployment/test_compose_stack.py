"""The production stack on a real Docker engine (issue 14 §4): docker-compose.yml as an
operator runs it, plus deploy/compose/smoke.yml, which adds a fake Telegram Bot API and
points the adapter at it. The image is built (`docker compose build`), the stack comes up,
every service turns healthy, the migrate step runs once, a newcomer's message goes through
the fake Bot API, the adapter, Rasa and the action server and is answered from the knowledge
base in PostgreSQL; then the stack goes down with its volumes. The same again with two Rasa
replicas (`--scale rasa=2`).

Needs a Docker engine with Compose v2, the base images (deploy/base-images/build.sh) and a
trained model (models/). Skipped unless LOTSE_TEST_COMPOSE=1: `make test-compose` sets up
what is missing and runs it; `make test` does not. Every stack gets a project name of its
own and is taken down (`down -v`) whatever happens. Nothing is published on the host but three
loopback ports the test picks: the fake Bot API's control API, the adapter's /health and the
coordinators' workspace, which has no account until an admin is created on the command line.

LOTSE_COMPOSE_TIMINGS=FILE appends the measured times (build, up until healthy) to FILE as
JSON lines."""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.helpers.telegram import say, sent, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
FILES = ("docker-compose.yml", "deploy/compose/smoke.yml")
IMAGE_TAG = os.environ.get("LOTSE_IMAGE_TAG", "latest")
ADVISORS_CHAT = -1001000000001  # the fake Bot API's forum group (devtools/fake_telegram.py)
UP_SECONDS = 900  # on 2 cores at nice 19: Rasa loads its model in about a minute, more under load
LONG_RUNNING = {"postgres", "redis", "actions", "rasa", "bot", "workspace", "retention", "fake-telegram"}
NEVER_PUBLISHED = {5432, 6379, 5005, 5055, 8080, 8081, 8090, 8443}  # the host's own services use these


def _docker_usable() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return all(subprocess.run(command, capture_output=True, timeout=30).returncode == 0
                   for command in (["docker", "info"], ["docker", "compose", "version"]))
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("LOTSE_TEST_COMPOSE") != "1" or not _docker_usable(),
                       reason="the compose stack test runs with LOTSE_TEST_COMPOSE=1 and a usable Docker engine "
                              "(make test-compose)"),
]


def _free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in NEVER_PUBLISHED:
            return port


def _timing(record: dict) -> None:
    print(json.dumps(record))
    if os.environ.get("LOTSE_COMPOSE_TIMINGS"):
        with open(os.environ["LOTSE_COMPOSE_TIMINGS"], "a", encoding="utf-8") as timings:
            timings.write(json.dumps(record) + "\n")


class Stack:
    """One compose project: its own name, secrets, ports and volumes."""

    def __init__(self, workdir: Path, label: str) -> None:
        self.project = f"lotse-smoke-{label}-{secrets.token_hex(3)}"
        self.telegram_port, self.health_port, self.workspace_port = _free_port(), _free_port(), _free_port()
        self.env = {
            "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
            "REDIS_PASSWORD": secrets.token_urlsafe(24),
            "RASA_TOKEN": secrets.token_urlsafe(24),
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
            "LOTSE_PSEUDONYM_KEY": secrets.token_urlsafe(32),
            "TELEGRAM_BOT_TOKEN": "1000000:compose-smoke-test",  # the fake Bot API takes any
            "LOTSE_ADVISORS_CHAT_ID": str(ADVISORS_CHAT),
            "LOTSE_ADVISOR_IDS": "1000001",
            "LOTSE_MODELS_DIR": str((ROOT / "models").resolve()),
            "LOTSE_IMAGE_TAG": IMAGE_TAG,
            "LOTSE_WEBHOOK_PUBLISH": f"127.0.0.1:{self.health_port}",
            "LOTSE_WORKSPACE_SECRET": secrets.token_urlsafe(32),
            "LOTSE_WORKSPACE_PUBLISH": f"127.0.0.1:{self.workspace_port}",
            "LOTSE_SMOKE_TELEGRAM_PORT": str(self.telegram_port),
            "LOTSE_RETRY_SECONDS": "5",
        }
        self.env_file = workdir / f"{self.project}.env"
        self.env_file.write_text("".join(f"{name}={value}\n" for name, value in self.env.items()), encoding="utf-8")
        self.telegram = f"http://127.0.0.1:{self.telegram_port}"

    def compose(self, *args: str, timeout: float = 300, check: bool = True,
                input: str | None = None) -> subprocess.CompletedProcess:
        """`docker compose` on this project only: no variable of the caller's shell (which would
        win over the env file) and no .env of the repository reaches it."""
        environment = {name: value for name, value in os.environ.items()
                       if name in ("PATH", "HOME", "LANG") or name.startswith("DOCKER_")}
        command = ["docker", "compose", "-p", self.project, "--project-directory", str(ROOT),
                   "--env-file", str(self.env_file)]
        for file in FILES:
            command += ["-f", str(ROOT / file)]
        done = subprocess.run([*command, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                              timeout=timeout, input=input)
        if check and done.returncode != 0:
            raise AssertionError(f"docker compose {' '.join(args)} exited {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def containers(self) -> list[dict]:
        """`docker compose ps -a` as JSON: one object per container (Compose 2.21 and later
        print one per line, older ones one list)."""
        out = self.compose("ps", "-a", "--format", "json").stdout.strip()
        if out.startswith("["):
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def sql(self, query: str) -> list[list[str]]:
        """A query in the stack's PostgreSQL, over its socket inside the container."""
        out = self.compose("exec", "-T", "postgres", "psql", "-U", "lotse", "-d", "lotse", "-v", "ON_ERROR_STOP=1",
                           "-tA", "-F", "\t", "-c", query).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def up(self, *args: str) -> float:
        started = time.monotonic()
        done = self.compose("up", "-d", "--wait", *args, timeout=UP_SECONDS, check=False)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise AssertionError(f"docker compose up exited {done.returncode} after {seconds:.0f} s:\n"
                                 f"{done.stderr[-3000:]}\n{self.status()}\n{self.logs()}")
        return seconds

    def status(self) -> str:
        return self.compose("ps", "-a", check=False).stdout

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail", "40", check=False).stdout[-12000:]

    def down(self) -> None:
        self.compose("down", "-v", "--remove-orphans", "--timeout", "20", timeout=300, check=False)
        self.env_file.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> str:
    """The project image, built as `docker compose build` builds it (with the host's network,
    deploy/compose/smoke.yml): a no-op when nothing changed, so the stack never runs stale code."""
    models = sorted((ROOT / "models").glob("*.tar.gz"))
    assert models, "no trained model in models/: run `make train` first"
    for base in ("python:3.10.13-slim", "postgres:15", "redis:7"):
        assert subprocess.run(["docker", "image", "inspect", base], capture_output=True).returncode == 0, \
            f"no image {base}: run deploy/base-images/build.sh (or pull the official one)"
    builder = Stack(tmp_path_factory.mktemp("compose"), "build")
    started = time.monotonic()
    builder.compose("build", "migrate", timeout=3600)
    _timing({"step": "build", "seconds": round(time.monotonic() - started, 1)})
    tag = f"lotse:{IMAGE_TAG}"
    size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", tag], capture_output=True, text=True,
                          check=True).stdout.strip()
    _timing({"step": "image", "tag": tag, "bytes": int(size)})
    return tag


@pytest.fixture
def stack(image, tmp_path):
    created: list[Stack] = []

    def make(label: str) -> Stack:
        created.append(Stack(tmp_path, label))
        return created[-1]

    yield make
    for made in created:
        made.down()
        ours = f"label=com.docker.compose.project={made.project}"
        leftovers = [subprocess.run(["docker", *kind, "-q", "--filter", ours], capture_output=True,
                                    text=True).stdout.split() for kind in (["container", "ls", "-a"], ["volume", "ls"])]
        assert leftovers == [[], []], f"containers or volumes of {made.project} outlived `down -v`"


def housing_offices() -> dict[str, str]:
    """The German titles of the published housing entries of the knowledge base, by entry id."""
    offices = {}
    for path in (ROOT / "knowledge" / "entries").glob("*.yml"):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        if entry.get("status") == "published" and "housing" in entry.get("topics", []):
            offices[entry["id"]] = entry["translations"]["de"]["title"]
    assert offices
    return offices


def visible(text: str) -> str:
    """What a reader sees of Telegram HTML (tags dropped, entities resolved)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def check_every_service_healthy_and_migrated_once(stack: Stack, rasa_replicas: int) -> None:
    containers = stack.containers()
    by_service: dict[str, list[dict]] = {}
    for container in containers:
        by_service.setdefault(container["Service"], []).append(container)
    assert set(by_service) == LONG_RUNNING | {"migrate"}, stack.status()
    assert len(by_service["rasa"]) == rasa_replicas, stack.status()
    for service in LONG_RUNNING:
        for container in by_service[service]:
            assert (container["State"], container["Health"]) == ("running", "healthy"), stack.status()
    # The migrate step ran once, finished with exit code 0 and was not restarted.
    (migrate,) = by_service["migrate"]
    assert (migrate["State"], migrate["ExitCode"]) == ("exited", 0), stack.status()
    migrate_log = stack.compose("logs", "--no-color", "migrate").stdout
    assert migrate_log.count("database schema at revision") == 1, migrate_log
    restarts = subprocess.run(["docker", "inspect", "-f", "{{.RestartCount}}", migrate["ID"]], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert restarts == "0"
    assert len(stack.sql("SELECT version_num FROM alembic_version")) == 1
    assert stack.sql("SELECT count(*) FROM knowledge_syncs") == [["1"]]  # the knowledge sync ran once too
    published = stack.sql("SELECT count(*) FROM knowledge_entries WHERE status = 'published'")
    assert int(published[0][0]) >= len(housing_offices())


def check_no_service_runs_as_root(stack: Stack) -> None:
    for service in sorted(LONG_RUNNING):
        status = stack.compose("exec", "-T", service, "cat", "/proc/1/status").stdout
        uid = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
        assert uid, f"{service}'s /proc/1/status has no Uid line"
        assert uid.group(1) != "0", f"{service}'s main process runs as root"


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "RASA_TOKEN", "ACTION_SERVER_TOKEN", "LOTSE_PSEUDONYM_KEY",
           "TELEGRAM_BOT_TOKEN", "LOTSE_WORKSPACE_SECRET")


def check_no_secret_and_no_message_in_the_logs(stack: Stack, *messages: str) -> None:
    """Neither a secret of the stack nor what a newcomer wrote is in any container's log."""
    for service in sorted(LONG_RUNNING - {"fake-telegram"} | {"migrate"}):  # the production services
        log = stack.compose("logs", "--no-color", "--no-log-prefix", service).stdout
        log = ANSI_ESCAPE.sub("", log)  # Compose 2.26 starts lines with "erase line" even so
        for name in SECRETS:  # (not `assert … not in log`: pytest would print the secret)
            if stack.env[name] in log:
                pytest.fail(f"{name} is in the log of {service}")
        for message in messages:
            if message in log:
                pytest.fail(f"what a newcomer wrote is in the log of {service}: {message!r}")


def check_a_newcomer_is_answered_from_postgresql(stack: Stack, user: int) -> str:
    """"Ich suche eine Wohnung" through the fake Bot API: the adapter's answer names a housing
    office of the knowledge base, and the answer log in PostgreSQL has the entries shown."""
    offices = housing_offices()
    say(stack.telegram, user, "Ich suche eine Wohnung")
    answer = wait_for(lambda: sent(stack.telegram, user), seconds=180)[0]
    text = visible(answer["text"])
    assert answer.get("parse_mode") == "HTML"
    named = {entry for entry, title in offices.items() if title in text}
    assert named, f"no housing office of knowledge/entries/ in the answer: {text}"
    logged = stack.sql("SELECT entry_ids FROM answers WHERE topic = 'housing' AND language = 'de'")
    assert logged, "the answer was not logged in PostgreSQL"
    assert named <= {entry for (ids,) in logged for entry in json.loads(ids)}
    return text


def check_the_workspace_has_no_default_account_until_an_admin_is_created(stack: Stack) -> None:
    """The workspace answers on its loopback port with HTTPS-only cookies; the try-out's demo
    password opens nothing; an admin made on the command line can log in."""
    workspace = f"http://127.0.0.1:{stack.workspace_port}"

    def log_in(name: str, password: str) -> httpx.Response:
        with httpx.Client(base_url=workspace, timeout=10) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
            assert form.status_code == 200 and token, form.text[:500]
            assert "Secure" in form.headers.get("set-cookie", "")
            # the cookie is HTTPS-only, so it is handed back by hand, as the TLS proxy's browser would
            return client.post("/login", data={"username": name, "password": password, "csrf_token": token.group(1)},
                               headers={"Cookie": form.headers["set-cookie"].split(";")[0]})

    assert log_in("admin", "lotse-demo").status_code == 401
    stack.compose("exec", "-T", "workspace", "python", "-m", "workspace", "create-admin", "stadt-admin",
                  "--password-stdin", input="a-long-admin-password\n")
    assert log_in("stadt-admin", "a-long-admin-password").status_code == 302


def test_the_stack_comes_up_healthy_and_answers_a_newcomer_from_postgresql(stack):
    one = stack("one")
    try:
        seconds = one.up()
        _timing({"step": "up --wait", "rasa_replicas": 1, "seconds": round(seconds, 1)})
        check_every_service_healthy_and_migrated_once(one, rasa_replicas=1)
        check_no_service_runs_as_root(one)
        assert httpx.get(f"http://127.0.0.1:{one.health_port}/health", timeout=10).status_code == 200
        started = time.monotonic()
        check_a_newcomer_is_answered_from_postgresql(one, 600001)
        _timing({"step": "first answer", "rasa_replicas": 1, "seconds": round(time.monotonic() - started, 1)})
        check_the_workspace_has_no_default_account_until_an_admin_is_created(one)
        check_no_secret_and_no_message_in_the_logs(one, "Ich suche eine Wohnung")
    finally:
        one.down()


def test_two_rasa_replicas_share_the_conversations(stack):
    two = stack("two")
    try:
        seconds = two.up("--scale", "rasa=2")
        _timing({"step": "up --wait", "rasa_replicas": 2, "seconds": round(seconds, 1)})
        check_every_service_healthy_and_migrated_once(two, rasa_replicas=2)
        check_a_newcomer_is_answered_from_postgresql(two, 600002)
        # Each replica answers on its own, and one conversation alternates between them: both
        # turns land in the one tracker store in PostgreSQL.
        sender = f"compose-smoke-{secrets.token_hex(4)}"
        post = ("import json, os, sys, urllib.request; "
                "request = urllib.request.Request('http://localhost:5005/webhooks/lotse/webhook', "
                "data=json.dumps({'sender': sys.argv[1], 'message': sys.argv[2]}).encode(), "
                "headers={'Content-Type': 'application/json', 'X-Lotse-Secret': os.environ['RASA_TOKEN']}); "
                "print(urllib.request.urlopen(request, timeout=60).read().decode())")
        offices = housing_offices().values()
        for index in (1, 2):
            out = two.compose("exec", "-T", "--index", str(index), "rasa", "python", "-c", post, sender,
                              "Ich suche eine Wohnung", timeout=120).stdout
            texts = " ".join(visible(message.get("text") or "") for message in json.loads(out))
            assert any(office in texts for office in offices), f"replica {index}: {texts}"
        turns = two.sql(f"SELECT count(*) FROM events WHERE sender_id = '{sender}' AND type_name = 'user'")
        assert turns == [["2"]]
        check_no_secret_and_no_message_in_the_logs(two, "Ich suche eine Wohnung")
    finally:
        two.down()
