"""The coordinators' workspace as a Flask application: server-rendered pages (Jinja2 escapes
every value), sessions and logins by Flask-Login, CSRF protection on every form by
Flask-WTF. Every essential action works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import CSRFProtect, FlaskForm
from markupsafe import Markup
from sqlalchemy.engine import Engine
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from actions.render import service_card
from cities import City
from knowledge.entry import SOURCE_LANGUAGE, STATUSES
from knowledge.revisions import (
    ReviewRefused,
    approve,
    live_document,
    open_revision,
    reject,
    revisions_of,
    save_draft,
    submit,
)
from knowledge.search import ServiceIndex
from knowledge.validation import check_document
from texts import LANGUAGES, RIGHT_TO_LEFT, TOPIC_LIST, Phrases, workspace_texts
from workspace.accounts import (
    MIN_PASSWORD_LENGTH,
    Account,
    AccountError,
    LoginRefused,
    Role,
    audit_log,
    change_password,
    create_account,
    deactivate_account,
    find_account,
    list_accounts,
    log_in,
    record,
)
from workspace.editing import (
    CONTACT_FIELDS,
    TEXT_FIELDS,
    field_changes,
    form_value,
    german_hash,
    with_contact,
    with_texts,
)
from workspace.entries import PAGE_SIZE, TRANSLATED, EntryFilters, LiveEntries, entry_line, filtered
from workspace.settings import WorkspaceSettings

Clock = Callable[[], datetime]
View = TypeVar("View", bound=Callable[..., Any])
UI_LANGUAGE_COOKIE = "lotse-workspace-language"
FILTER_KEYS = ("q", "topic", "district", "status", "language", "translation", "due")
REFUSALS = ("four_eyes", "not_publishable", "not_in_review", "not_submittable", "reason_required",
            "not_the_one_shown", "not_yours")


class WorkspaceUser(UserMixin):
    """Flask-Login's user: the account, identified with its session version, so that a
    password change ends every other session."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_version}"


class LoginForm(FlaskForm):
    username = StringField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


class AccountForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=60)])
    password = PasswordField(validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    roles = SelectMultipleField(choices=[(role.value, role.value) for role in Role], validators=[DataRequired()])
    languages = SelectMultipleField(choices=[(language, language) for language in LANGUAGES])


class PasswordForm(FlaskForm):
    current = PasswordField(validators=[DataRequired()])
    new = PasswordField(validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    again = PasswordField(validators=[DataRequired(), EqualTo("new")])


def requires(role: Role) -> Callable[[View], View]:
    """A view for logged-in accounts with `role`; others get 403."""
    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.account.can(role):
                abort(403)
            return view(*args, **kwargs)
        return cast(View, guarded)
    return decorate


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a crafted link must not send a coordinator elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("entries")


def create_app(settings: WorkspaceSettings, engine: Engine, city: City, newcomer_phrases: Phrases,
               clock: Clock = lambda: datetime.now(timezone.utc)) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="lotse-workspace",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        LOTSE_SETTINGS=settings,
        LOTSE_ENGINE=engine,
    )
    CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "login"
    login_manager.login_message = None
    ui = workspace_texts()

    @login_manager.user_loader
    def load_user(user_id: str) -> WorkspaceUser | None:
        account_id, _, version = user_id.partition(":")
        account = find_account(engine, int(account_id)) if account_id.isdigit() else None
        return WorkspaceUser(account) if account and str(account.session_version) == version else None

    @app.before_request
    def end_old_logins() -> None:
        since = session.get("since")
        lifetime = settings.session_lifetime.total_seconds()
        if current_user.is_authenticated and (not isinstance(since, float) or clock().timestamp() - since > lifetime):
            logout_user()
            session.clear()

    @app.before_request
    def choose_language() -> None:
        chosen = request.args.get("ui") or request.cookies.get(UI_LANGUAGE_COOKIE)
        g.ui_language = chosen if chosen in LANGUAGES else (
            request.accept_languages.best_match(["de", "en", "uk", "ar", "fa"]) or "de").replace("fa", "prs")

    @app.after_request
    def remember_language(response: Response) -> Response:
        if request.args.get("ui") in LANGUAGES:
            response.set_cookie(UI_LANGUAGE_COOKIE, request.args["ui"], samesite="Lax", secure=settings.secure_cookies,
                                httponly=True, max_age=365 * 24 * 3600)
        response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        language = g.get("ui_language", "de")
        return {"say": lambda key, **values: ui.say(key, language, **values), "ui_language": language,
                "ui_dir": "rtl" if language in RIGHT_TO_LEFT else "ltr", "languages": LANGUAGES,
                "right_to_left": RIGHT_TO_LEFT, "city": city.names.get(language, city.name),
                "topic_name": lambda topic: newcomer_phrases.say(f"button_{topic}", language)}

    @app.get("/")
    def home() -> ResponseReturnValue:
        return redirect(url_for("entries"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> ResponseReturnValue:
        form, refused = LoginForm(), None
        if form.validate_on_submit():
            try:
                account = log_in(engine, form.username.data, form.password.data, clock())
            except LoginRefused:
                refused = "login_refused"
            else:
                session.clear()  # a new session for the new login
                login_user(WorkspaceUser(account))
                session.permanent = True
                session["since"] = clock().timestamp()  # the login ends after the lifetime, however busy
                record(engine, account.username, "login", now=clock())
                return redirect(_safe_next(request.args.get("next")))
        status = 401 if refused else 400 if form.errors else 200
        return render_template("login.html", form=form, refused=refused), status

    @app.post("/logout")
    @login_required
    def logout() -> ResponseReturnValue:
        logout_user()
        session.clear()
        return redirect(url_for("login"))

    live = LiveEntries(engine)

    @app.get("/entries")
    @login_required
    def entries() -> str:
        filters = EntryFilters(
            text=request.args.get("q", "").strip(), topic=request.args.get("topic", ""),
            district=request.args.get("district", ""), status=request.args.get("status", ""),
            language=request.args.get("language", ""), translation=request.args.get("translation", ""),
            due=request.args.get("due") == "1")
        every = live.lines(clock().date())
        lines = filtered(every, filters)
        pages = max(1, -(-len(lines) // PAGE_SIZE))
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
        here: dict[str, Any] = {key: value for key, value in request.args.items() if key in FILTER_KEYS}
        return render_template("entries.html", lines=lines[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
                               found=len(lines), filters=filters, total=len(every), page=page, pages=pages,
                               page_link=lambda number: url_for("entries", **here, page=number),
                               topics=[topic.id for topic in TOPIC_LIST], districts=city.district_names,
                               statuses=STATUSES, translated=TRANSLATED)

    def working_copy(entry_id: str) -> tuple[dict[str, Any], Any]:
        """The document being worked on (the open revision's, else the live one) and that revision."""
        revision = open_revision(engine, entry_id)
        document = revision.document if revision else live_document(engine, entry_id)
        if document is None:
            abort(404)
        return document, revision

    @app.get("/entries/<entry_id>")
    @login_required
    def entry(entry_id: str) -> str:
        document, revision = working_copy(entry_id)
        found, problems = check_document(document, f"workspace:{entry_id}", city.district_names)
        now = clock()
        previews = {}
        if found is not None:
            index = ServiceIndex([found])
            previews = {language: Markup(service_card(index.services([found.id], language)[0], language, now,
                                                      newcomer_phrases, city))  # the bot's renderer escapes every value
                        for language in LANGUAGES}
        live = live_document(engine, entry_id)
        return render_template("entry.html", entry_id=entry_id, document=document, revision=revision,
                               problems=problems, line=entry_line(found, now.date()) if found else None, entry=found,
                               previews=previews, german=document["translations"][SOURCE_LANGUAGE],
                               translated=TRANSLATED, changes=field_changes(live, document) if revision else {},
                               history=revisions_of(engine, entry_id)[:20],
                               refused=request.args.get("refused") if request.args.get("refused") in REFUSALS else None,
                               can_edit=any(current_user.account.may_edit(language) for language in LANGUAGES))

    @app.route("/entries/<entry_id>/edit", methods=["GET", "POST"])
    @login_required
    def edit(entry_id: str) -> ResponseReturnValue:
        account = current_user.account
        editable = [language for language in LANGUAGES if account.may_edit(language)]
        if not editable:
            abort(403)
        language = request.args.get("language") or editable[0]
        if language not in LANGUAGES:
            abort(404)
        if not account.may_edit(language):
            abort(403)
        document, revision = working_copy(entry_id)
        base = str(revision.id) if revision else "live"
        problem = "in_review_locked" if revision and revision.state.value == "in_review" else None
        shown: Any = None  # what the form shows: the stored texts, or what was typed when a save was refused
        if request.method == "POST" and problem is None:
            if request.form.get("base") != base:
                problem, shown = "changed_meanwhile", request.form
            else:
                minor = request.form.get("minor") == "1"
                changed = with_texts(document, language, request.form, minor, request.form.get("german_seen"))
                if language == SOURCE_LANGUAGE:
                    changed = with_contact(changed, request.form)
                changes = field_changes(document, changed)
                if changes:
                    comment = request.form.get("comment", "").strip()
                    save_draft(engine, entry_id, changed, account.username, comment, minor, clock())
                    record(engine, account.username, "save_draft", entry_id, changes, comment, now=clock())
                return redirect(url_for("entry", entry_id=entry_id))
        texts = document["translations"].get(language) or {}
        german = document["translations"][SOURCE_LANGUAGE]
        return render_template(
            "edit.html", entry_id=entry_id, language=language, editable=editable, fields=TEXT_FIELDS,
            value=lambda field: shown.get(field, "") if shown else form_value(texts, field),
            german_value=lambda field: form_value(german, field), contact=shown or document.get("contact") or {},
            contact_fields=CONTACT_FIELDS, title=german.get("title"), base=base, german_seen=german_hash(document),
            problem=problem), 409 if problem else 200

    def review_step(entry_id: str, step: Callable[[int], Any], action: str,
                    comment: str | None = None) -> ResponseReturnValue:
        """A step on the open revision the page showed (the form names it): if someone saved
        a newer one meanwhile, nobody acts on a version they have not seen."""
        revision = open_revision(engine, entry_id)
        if revision is None:
            abort(404)
        if request.form.get("revision") != str(revision.id):
            return redirect(url_for("entry", entry_id=entry_id, refused="not_the_one_shown"))
        try:
            step(revision.id)
        except ReviewRefused as refused:
            return redirect(url_for("entry", entry_id=entry_id, refused=refused.key))
        record(engine, current_user.account.username, action, entry_id, {}, comment, now=clock())
        return redirect(url_for("entry", entry_id=entry_id))

    @app.post("/entries/<entry_id>/submit")
    @login_required
    def submit_for_review(entry_id: str) -> ResponseReturnValue:
        account, revision = current_user.account, open_revision(engine, entry_id)
        if not any(account.may_edit(language) for language in LANGUAGES):
            abort(403)
        if revision is not None and revision.author != account.username and not account.can(Role.EDITOR):
            return redirect(url_for("entry", entry_id=entry_id, refused="not_yours"))
        return review_step(entry_id, lambda revision: submit(engine, revision), "submit")

    @app.post("/entries/<entry_id>/approve")
    @requires(Role.REVIEWER)
    def approve_revision(entry_id: str) -> ResponseReturnValue:
        reviewer = current_user.account.username
        return review_step(entry_id, lambda revision: approve(
            engine, revision, reviewer, clock(), city.district_names, settings.four_eyes), "publish")

    @app.post("/entries/<entry_id>/reject")
    @requires(Role.REVIEWER)
    def reject_revision(entry_id: str) -> ResponseReturnValue:
        comment = request.form.get("comment", "")
        reviewer = current_user.account.username
        return review_step(entry_id, lambda revision: reject(engine, revision, reviewer, comment, clock()), "reject",
                           comment.strip() or None)

    @app.get("/audit")
    @requires(Role.ADMIN)
    def audit() -> str:
        return render_template("audit.html", events=audit_log(engine))

    @app.route("/accounts", methods=["GET", "POST"])
    @requires(Role.ADMIN)
    def accounts() -> ResponseReturnValue:
        form, problem = AccountForm(), None
        if form.validate_on_submit():
            roles, languages = sorted(form.roles.data), sorted(form.languages.data)
            try:
                create_account(engine, form.username.data, form.password.data, map(Role, roles), languages, clock())
            except AccountError as refused:
                problem = refused.key
            else:
                record(engine, current_user.account.username, "create_account", form.username.data.strip(),
                       {"roles": [None, roles], "languages": [None, languages]}, now=clock())
                flash(form.username.data.strip(), "account_created")
                return redirect(url_for("accounts"))
        status = 400 if form.errors or problem else 200
        return render_template("accounts.html", form=form, problem=problem, accounts=list_accounts(engine),
                               roles=list(Role), translated=TRANSLATED), status

    @app.post("/accounts/<int:account_id>/deactivate")
    @requires(Role.ADMIN)
    def deactivate(account_id: int) -> ResponseReturnValue:
        if account_id == current_user.account.id:
            abort(400)  # an admin cannot lock themselves out
        try:
            ended = deactivate_account(engine, account_id)
        except AccountError:
            abort(404)
        record(engine, current_user.account.username, "deactivate_account", ended.username,
               {"active": [True, False]}, now=clock())
        return redirect(url_for("accounts"))

    @app.route("/account/password", methods=["GET", "POST"])
    @login_required
    def password() -> ResponseReturnValue:
        form, problem = PasswordForm(), None
        if form.validate_on_submit():
            try:
                account = change_password(engine, current_user.account.id, form.current.data, form.new.data)
            except AccountError as refused:
                problem = refused.key
            else:
                login_user(WorkspaceUser(account))  # this session goes on; every other one has ended
                record(engine, account.username, "change_password", account.username, now=clock())
                flash("password_changed", "notice")
                return redirect(url_for("entries"))
        status = 400 if form.errors or problem else 200
        return render_template("password.html", form=form, problem=problem), status

    @app.errorhandler(403)
    def forbidden(_: Exception) -> tuple[str, int]:
        return render_template("error.html", message="forbidden"), 403

    @app.errorhandler(404)
    def not_found(_: Exception) -> tuple[str, int]:
        return render_template("error.html", message="not_found"), 404

    return app
