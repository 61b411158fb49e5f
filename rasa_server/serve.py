"""`python -m rasa_server.serve [options of rasa run]`: Rasa's server, its HTTP API always behind
a token. The token comes from RASA_TOKEN (the server refuses to start without one, so no image
or command can start an open API) and is handed to Rasa inside this process, so that it is on
no command line that `ps` shows. The adapter's channel takes the same secret
(credentials.yml).

Rasa's own structured log carries every message text at DEBUG: the launcher installs the
patches (rasa_server/patches.py) that redact it, so a newcomer's words stay out of the log
at any level."""

from __future__ import annotations

import sys

from configuration import ConfigurationError, Environment


def rasa_arguments(options: list[str], token: str) -> list[str]:
    """The arguments of `rasa run` with the API enabled behind `token`."""
    return ["rasa", "run", *options, "--enable-api", f"--auth-token={token}"]  # one word: a token may start with "-"


def main() -> None:
    try:
        token = Environment().required("RASA_TOKEN", "Rasa's HTTP API and the adapter's channel need it (generate one: "
                                       "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\")")
    except ConfigurationError as problem:
        raise SystemExit(str(problem)) from None
    sys.argv = rasa_arguments(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main  # after sys.argv: Rasa parses it

    from rasa_server.patches import install_patches  # loads Rasa: only once the token is there

    install_patches()
    rasa_main()


if __name__ == "__main__":
    main()
