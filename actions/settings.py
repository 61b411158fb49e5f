"""The action server's configuration: every variable it reads, read here and checked."""

from __future__ import annotations

from dataclasses import dataclass

from configuration import Environment, SharedSettings


@dataclass(frozen=True)
class ActionServerSettings:
    token: str  # ACTION_SERVER_TOKEN: only calls carrying it (Rasa's) are answered
    host: str  # LOTSE_ACTIONS_HOST: loopback unless a container network needs more
    shared: SharedSettings

    @classmethod
    def from_environment(cls, environment: Environment) -> ActionServerSettings:
        return cls(token=environment.required("ACTION_SERVER_TOKEN", "the action server answers only calls carrying it "
                                              "(Rasa's endpoints file sends it)"),
                   host=environment.text("LOTSE_ACTIONS_HOST", "127.0.0.1") or "127.0.0.1",
                   shared=SharedSettings.from_environment(environment))
