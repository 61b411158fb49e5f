"""An admin creates and deactivates the other accounts in the browser; everyone changes their
own password there; nobody else may touch accounts."""

from __future__ import annotations

from tests.workspace.conftest import DEMO_PASSWORD, csrf_token, log_in
from workspace.accounts import Role, audit_log, list_accounts


def create(client, **fields) -> tuple[int, str]:
    data = {"csrf_token": csrf_token(client, "/accounts"), **fields}
    response = client.post("/accounts", data=data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_an_admin_creates_a_translator_who_can_then_log_in(workspace_app, workspace_engine):
    admin = workspace_app.test_client()
    log_in(admin, "admin")
    status, page = create(admin, username="uebersetzung-uk", password="a-first-password", roles=["translator"],
                          languages=["uk", "prs"])
    assert status == 200 and "Das Konto uebersetzung-uk ist angelegt." in page
    account = next(a for a in list_accounts(workspace_engine) if a.username == "uebersetzung-uk")
    assert account.roles == {Role.TRANSLATOR} and account.languages == {"uk", "prs"}
    assert audit_log(workspace_engine)[0].action == "create_account"
    assert audit_log(workspace_engine)[0].changes["roles"] == [None, ["translator"]]
    newcomer = workspace_app.test_client()
    assert log_in(newcomer, "uebersetzung-uk", "a-first-password").status_code == 302


def test_an_account_that_cannot_be_made_is_refused_with_the_reason_in_the_pages_language(client):
    log_in(client, "admin")
    status, page = create(client, username="koordination", password="a-first-password", roles=["editor"])
    assert status == 400 and "Diesen Namen gibt es schon." in page
    status, page = create(client, username="neu", password="a-first-password", roles=["translator"])
    assert status == 400 and "Wer übersetzt, braucht mindestens eine Sprache." in page
    status, page = create(client, username="neu", password="kurz", roles=["editor"])
    assert status == 400 and "Mindestens 10 Zeichen." in page
    status, page = create(client, username="neu", password="a-first-password")
    assert status == 400 and "Ein Konto braucht mindestens eine Rolle." in page
    assert 'value="neu"' in page  # what was typed is kept


def test_only_admins_see_or_change_accounts(client):
    log_in(client, "koordination")
    assert client.get("/accounts").status_code == 403
    token = csrf_token(client, "/entries")
    response = client.post("/accounts", data={"csrf_token": token, "username": "x", "password": "a-first-password",
                                              "roles": ["admin"]})
    assert response.status_code == 403
    assert client.post("/accounts/1/deactivate", data={"csrf_token": token}).status_code == 403


def test_creating_an_account_without_the_forms_csrf_token_is_refused(client, workspace_engine):
    log_in(client, "admin")
    response = client.post("/accounts", data={"username": "x", "password": "a-first-password", "roles": ["admin"]})
    assert response.status_code == 400
    assert "x" not in {account.username for account in list_accounts(workspace_engine)}


def test_a_deactivated_account_is_logged_out_and_cannot_log_in_again(workspace_app, workspace_engine):
    admin, editor = workspace_app.test_client(), workspace_app.test_client()
    log_in(admin, "admin")
    log_in(editor, "koordination")
    target = next(a for a in list_accounts(workspace_engine) if a.username == "koordination")
    admin.post(f"/accounts/{target.id}/deactivate", data={"csrf_token": csrf_token(admin, "/accounts")})
    assert editor.get("/entries").status_code == 302
    assert log_in(editor, "koordination").status_code == 401
    me = next(a for a in list_accounts(workspace_engine) if a.username == "admin")
    assert admin.post(f"/accounts/{me.id}/deactivate",
                      data={"csrf_token": csrf_token(admin, "/accounts")}).status_code == 400


def test_a_password_changed_in_the_browser_ends_the_other_sessions_but_not_this_one(workspace_app):
    here, elsewhere = workspace_app.test_client(), workspace_app.test_client()
    log_in(here, "pruefung")
    log_in(elsewhere, "pruefung")
    token = csrf_token(here, "/account/password")
    wrong = here.post("/account/password", data={"csrf_token": token, "current": "not-it", "new": "a-new-password",
                                                  "again": "a-new-password"})
    assert wrong.status_code == 400 and "Das bisherige Passwort stimmt nicht." in wrong.get_data(as_text=True)
    differing = here.post("/account/password", data={"csrf_token": token, "current": DEMO_PASSWORD,
                                                      "new": "a-new-password", "again": "another-password"})
    assert differing.status_code == 400 and "verschieden" in differing.get_data(as_text=True)
    changed = here.post("/account/password", data={"csrf_token": token, "current": DEMO_PASSWORD,
                                                    "new": "a-new-password", "again": "a-new-password"},
                        follow_redirects=True)
    assert "Das Passwort ist geändert." in changed.get_data(as_text=True)
    assert here.get("/entries").status_code == 200
    assert elsewhere.get("/entries").status_code == 302
    assert log_in(workspace_app.test_client(), "pruefung", "a-new-password").status_code == 302
