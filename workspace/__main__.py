"""The workspace's command line:

    python -m workspace serve                 the web application (LOTSE_WORKSPACE_HOST/PORT)
    python -m workspace create-admin NAME     the first administrator (asks for the password)

Production has no default accounts: the first admin is made here and creates the others."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from cities import configured_city
from configuration import ConfigurationError, Environment, SharedSettings
from db import open_current
from texts import newcomer_texts
from workspace.accounts import AccountError, Role, create_account, record


def serve() -> int:
    import waitress

    from workspace.app import create_app
    from workspace.settings import WorkspaceSettings

    settings = WorkspaceSettings.from_environment()
    logging.basicConfig(level=settings.shared.log_level)
    city = configured_city(settings.shared.city)
    app = create_app(settings, open_current(settings.shared.database_url), city, newcomer_texts())
    waitress.serve(app, host=settings.host, port=settings.port, ident="Lotse")
    return 0


def create_admin(username: str, password_from_stdin: bool) -> int:
    shared = SharedSettings.from_environment(Environment())
    engine = open_current(shared.database_url)  # before asking: a database not migrated stops here
    try:
        password = sys.stdin.readline().rstrip("\n") if password_from_stdin else _ask_password_twice()
        create_account(engine, username, password, [Role.ADMIN])
    except (AccountError, EOFError) as problem:
        print(f"No account created: {problem or 'no password given'}", file=sys.stderr)
        return 1
    record(engine, "command line", "create_account", username, {"roles": [None, ["admin"]]})
    print(f"Created the administrator {username!r}. Log in to the workspace to create the other accounts.")
    return 0


def _ask_password_twice() -> str:
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password again: "):
        raise AccountError("passwords_differ", "the two passwords differ")
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workspace", description="The coordinators' workspace.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the workspace")
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("username")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    try:
        return serve() if args.command == "serve" else create_admin(args.username, args.password_stdin)
    except ConfigurationError as problem:
        print(f"Lotse's workspace cannot start: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
