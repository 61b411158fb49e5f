"""The workspace's configuration: every variable it reads, read here, typed and checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from configuration import Environment, SharedSettings

DEFAULT_PORT = 8090


@dataclass(frozen=True)
class WorkspaceSettings:
    secret_key: str  # signs the session cookie and the CSRF tokens
    host: str
    port: int
    secure_cookies: bool  # cookies only over HTTPS: on behind the TLS proxy, off for `make run` on loopback
    session_lifetime: timedelta  # a login ends after this long
    shared: SharedSettings
    four_eyes: bool = True  # a reviewer never publishes their own change

    @classmethod
    def from_environment(cls, environment: Environment | None = None) -> WorkspaceSettings:
        environment = environment or Environment()
        return cls(
            secret_key=environment.required(
                "LOTSE_WORKSPACE_SECRET", "the key that signs the workspace's sessions (32 or more random "
                "characters, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"),
            host=environment.text("LOTSE_WORKSPACE_HOST", "127.0.0.1") or "127.0.0.1",
            port=environment.port("LOTSE_WORKSPACE_PORT", DEFAULT_PORT) or DEFAULT_PORT,
            secure_cookies=environment.choice("LOTSE_WORKSPACE_SECURE_COOKIES", "true", ("true", "false")) == "true",
            session_lifetime=timedelta(hours=environment.integer("LOTSE_WORKSPACE_SESSION_HOURS", 8, minimum=1)),
            shared=SharedSettings.from_environment(environment),
            four_eyes=environment.choice("LOTSE_FOUR_EYES", "on", ("on", "off")) == "on",
        )
