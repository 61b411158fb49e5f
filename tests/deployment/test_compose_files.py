"""The production stack as files: docker-compose.yml, the Dockerfile, endpoints.production.yml
and .env.example. The machines have no Docker engine, so the files are checked here for what
an operator would trip over: a missing service or health check, a variable nobody documented,
a secret baked into the image, a start-up order that runs before the database is ready."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
SERVICES = {"postgres", "redis", "migrate", "actions", "rasa", "bot", "workspace", "retention"}
SECRETS = {"TELEGRAM_BOT_TOKEN", "RASA_TOKEN", "ACTION_SERVER_TOKEN", "LOTSE_PSEUDONYM_KEY", "POSTGRES_PASSWORD",
           "REDIS_PASSWORD", "LOTSE_WORKSPACE_SECRET"}
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")
# configuration.Environment's reads (environment.text("NAME", …), .required(…), .integer(…) …)
READ_BY_CODE = re.compile(r"""\.(?:text|required|integer|optional_integer|number|port|integers|choice|url)\(\s*["']"""
                          r"""([A-Z_][A-Z0-9_]*)["']""")
BENCH_AND_TEST_ONLY = {"LOTSE_BENCH_POSTGRES_URL", "LOTSE_TEST_POSTGRES_URL"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def documented() -> dict[str, str]:
    """Every `NAME=value` in .env.example, also the commented-out optional ones."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    settings = (re.match(r"#?\s*([A-Z_][A-Z0-9_]*)=(.*)$", line) for line in lines)
    return {setting[1]: setting[2] for setting in settings if setting}


def test_every_service_is_there_and_every_long_running_one_has_a_health_check(compose):
    assert set(compose["services"]) == SERVICES
    for name, service in compose["services"].items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name
            assert service["restart"] == "unless-stopped", name


def test_start_up_waits_for_healthy_stores_and_migrates_once(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no" and "python -m db migrate" in " ".join(services["migrate"]["command"])
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("actions", "rasa", "workspace", "retention"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["rasa"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["rasa"]["condition"] == "service_healthy"


def test_every_variable_the_stack_or_the_code_reads_is_documented():
    used = set(VARIABLE.findall((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    used |= set(VARIABLE.findall((ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))
    for package in ("actions", "bot", "cases", "cities", "configuration", "db", "knowledge", "nlu", "rasa_server",
                    "retention", "texts", "workspace"):
        for module in (ROOT / package).rglob("*.py"):
            used |= set(READ_BY_CODE.findall(module.read_text(encoding="utf-8"))) - BENCH_AND_TEST_ONLY
    assert used - set(documented()) == set()


def test_secrets_are_required_at_start_and_never_in_the_image_or_the_example(compose):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert re.search(r"\$\{" + secret + r":\?", text), f"{secret} must be required (${{{secret}:?…}})"
        assert documented()[secret] == "", f".env.example must not carry a value for {secret}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert not any(secret in dockerfile for secret in SECRETS)
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_lotse_images_run_as_a_user_of_their_own():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_redis_runs_as_its_own_user_with_the_official_image_too(compose):
    """The official image drops root only for a command that starts with redis-server; this
    one starts with sh, to read the password from the environment."""
    redis = compose["services"]["redis"]
    assert redis["command"][0] == "redis-server" or str(redis.get("user", "root")) not in ("root", "0")


def test_rasa_gets_every_value_its_production_endpoints_need(compose):
    needed = set(VARIABLE.findall((ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))
    rasa = compose["services"]["rasa"]
    assert needed <= set(rasa["environment"])
    assert "endpoints.production.yml" in " ".join(rasa["command"])
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "rasa_server.tracker_store.ErasingSQLTrackerStore"
    assert endpoints["lock_store"]["type"] == "rasa_server.lock_store.AtomicRedisLockStore"


def test_only_the_bots_and_the_workspaces_ports_are_published_and_only_on_loopback_by_default(compose):
    published = {name: service["ports"] for name, service in compose["services"].items() if service.get("ports")}
    assert sorted(published) == ["bot", "workspace"]
    assert all(port.startswith("${LOTSE_WEBHOOK_PUBLISH:-127.0.0.1:") for port in published["bot"])
    assert all(port.startswith("${LOTSE_WORKSPACE_PUBLISH:-127.0.0.1:") for port in published["workspace"])


def test_rasa_and_the_action_server_answer_only_their_callers(compose):
    services = compose["services"]
    assert services["rasa"]["command"][:3] == ["python", "-m", "rasa_server.serve"]  # never an open API
    assert services["actions"]["command"][:3] == ["python", "-m", "actions"]
    assert {"RASA_TOKEN", "ACTION_SERVER_TOKEN"} <= set(services["rasa"]["environment"])
    assert "ACTION_SERVER_TOKEN" in services["actions"]["environment"]
    assert "RASA_TOKEN" not in services["actions"]["environment"]  # it needs nothing of Rasa's API
    assert "RASA_TOKEN" in services["bot"]["environment"]
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert credentials == {"rasa_server.channel.AdapterChannel": {"secret": "${RASA_TOKEN}"}}


def test_the_images_default_command_cannot_start_an_open_api():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD\s+(\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd, "the Dockerfile's CMD is in exec form"
    command = json.loads(cmd.group(1))
    assert command[:3] == ["python", "-m", "rasa_server.serve"] and "--enable-api" not in command


def test_every_service_that_tells_newcomers_the_retention_limit_knows_it(compose):
    for name in ("actions", "bot", "retention"):
        assert compose["services"][name]["environment"]["LOTSE_RETENTION_DAYS"] == "${LOTSE_RETENTION_DAYS:-90}", name


def test_every_services_log_is_rotated(compose):
    for name, service in compose["services"].items():
        options = service["logging"]["options"]
        assert service["logging"]["driver"] == "json-file", name
        assert options["max-size"] and int(options["max-file"]) <= 5, name


@pytest.mark.skipif(shutil.which("docker") is None or subprocess.run(
    ["docker", "compose", "version"], capture_output=True).returncode != 0, reason="no `docker compose` here")
def test_docker_compose_accepts_the_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("\n".join(f"{name}={value or 'x'}" for name, value in documented().items()), encoding="utf-8")
    checked = subprocess.run(["docker", "compose", "--env-file", str(env), "config", "--quiet"], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
