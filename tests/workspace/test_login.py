"""Only people with an account get in; a password guessed at is stopped; a form posted from
elsewhere (no CSRF token) is refused; a password change ends every session."""

from __future__ import annotations

import pytest

from tests.workspace.conftest import DEMO_PASSWORD, csrf_token, log_in
from workspace.accounts import (
    FAILURES_BEFORE_LOCK,
    AccountError,
    LoginRefused,
    Role,
    audit_log,
    change_password,
    create_account,
    list_accounts,
)
from workspace.accounts import log_in as account_log_in


def test_the_entry_list_asks_for_a_login_first(client):
    response = client.get("/entries")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_coordinator_logs_in_and_sees_the_entries(client):
    response = log_in(client, "koordination")
    assert response.status_code == 302 and response.headers["Location"] == "/entries"
    page = client.get("/entries").get_data(as_text=True)
    assert "Bürgerberatung" in page and "koordination" in page


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    response = log_in(client, "koordination", "not-the-password")
    assert response.status_code == 401
    assert "Name oder Passwort ist falsch." in response.get_data(as_text=True)
    assert log_in(client, "nobody-of-that-name").status_code == 401
    assert client.get("/entries").status_code == 302


def test_a_login_without_the_forms_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "koordination", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert client.get("/entries").status_code == 302


def test_logging_out_needs_the_csrf_token_and_ends_the_session(client):
    log_in(client, "koordination")
    assert client.post("/logout").status_code == 400  # a link on another site cannot log anyone out
    assert client.get("/entries").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/entries")})
    assert client.get("/entries").status_code == 302


def test_guessing_locks_the_account_for_a_while_even_for_the_right_password(workspace_engine, clock):
    for _ in range(FAILURES_BEFORE_LOCK):
        with pytest.raises(LoginRefused):
            account_log_in(workspace_engine, "pruefung", "guess", clock())
    with pytest.raises(LoginRefused):
        account_log_in(workspace_engine, "pruefung", DEMO_PASSWORD, clock())
    clock.advance(minutes=16)
    assert account_log_in(workspace_engine, "pruefung", DEMO_PASSWORD, clock()).username == "pruefung"


def test_a_locked_account_is_told_so_on_the_login_page(client):
    for _ in range(FAILURES_BEFORE_LOCK):
        log_in(client, "pruefung", "guess")
    response = log_in(client, "pruefung")
    assert "15 Minuten" in response.get_data(as_text=True) and response.status_code == 401


def test_a_password_change_ends_every_other_session(workspace_app, workspace_engine):
    office, home = workspace_app.test_client(), workspace_app.test_client()
    log_in(office, "koordination")
    log_in(home, "koordination")
    account = next(a for a in list_accounts(workspace_engine) if a.username == "koordination")
    change_password(workspace_engine, account.id, DEMO_PASSWORD, "a-new-long-password")
    assert office.get("/entries").status_code == 302
    assert home.get("/entries").status_code == 302


def test_passwords_are_stored_as_argon2_hashes_and_must_be_long_enough(workspace_engine):
    import sqlalchemy as sa

    with workspace_engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM workspace_accounts")).scalars().all()
    assert stored and all(value.startswith("$argon2id$") and DEMO_PASSWORD not in value for value in stored)
    with pytest.raises(AccountError, match="at least 10"):
        create_account(workspace_engine, "kurz", "short", [Role.EDITOR])
    with pytest.raises(AccountError, match="language"):
        create_account(workspace_engine, "translator", "long-enough-password", [Role.TRANSLATOR])


def test_the_audit_log_is_for_admins_only_and_records_logins(client, workspace_engine):
    log_in(client, "koordination")
    assert client.get("/audit").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/entries")})
    log_in(client, "admin")
    page = client.get("/audit").get_data(as_text=True)
    assert page.count(">login<") >= 2 and "koordination" in page
    assert [event.action for event in audit_log(workspace_engine)][:2] == ["login", "login"]


def test_a_crafted_next_address_cannot_send_a_coordinator_elsewhere(client):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/entries", data={
        "username": "koordination", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/entries"


def test_the_session_cookie_is_http_only_same_site_and_https_only(client):
    response = log_in(client, "koordination")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_every_refusal_reads_the_same_so_nobody_learns_which_names_exist(client):
    refusals = {log_in(client, "nobody-of-that-name").get_data(as_text=True).split('role="alert">')[1][:80]}
    for _ in range(FAILURES_BEFORE_LOCK + 1):
        refusals.add(log_in(client, "pruefung", "guess").get_data(as_text=True).split('role="alert">')[1][:80])
    assert len(refusals) == 1


def test_a_login_ends_after_its_lifetime_even_when_busy(client, clock):
    log_in(client, "koordination")
    for _ in range(7):
        clock.advance(hours=1)
        assert client.get("/entries").status_code == 200  # a busy coordinator, every hour
    clock.advance(minutes=61)  # 8 hours and a minute after the login
    assert client.get("/entries").status_code == 302


def test_german_is_never_a_translators_language(workspace_engine):
    with pytest.raises(AccountError, match="German is the source"):
        create_account(workspace_engine, "translator-de", "long-enough-password", [Role.TRANSLATOR], ["de", "ar"])
