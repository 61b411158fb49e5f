"""Who may do what in the workspace: accounts with roles, passwords hashed with argon2
(argon2-cffi), logins throttled after failures, and the audit log of every change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session

from db import Base, as_utc
from knowledge.entry import SOURCE_LANGUAGE
from texts import LANGUAGES

FAILURES_BEFORE_LOCK = 5
LOCKED_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash("no account has this password")  # checked for unknown names, for equal timing


class Role(str, Enum):
    ADMIN = "admin"  # accounts and the audit log
    EDITOR = "editor"  # creates and changes entries, submits them for review
    REVIEWER = "reviewer"  # approves or rejects, publishes, archives, confirms facts
    TRANSLATOR = "translator"  # the texts of their languages only


class AccountRow(Base):
    __tablename__ = "workspace_accounts"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = Column(String(60), nullable=False, unique=True)
    password_hash: Mapped[str] = Column(String(200), nullable=False)
    roles: Mapped[list[str]] = Column(JSON, nullable=False)
    languages: Mapped[list[str]] = Column(JSON, nullable=False)  # a translator's languages
    session_version: Mapped[int] = Column(Integer, nullable=False)  # raised on a password change: every session ends
    failed_logins: Mapped[int] = Column(Integer, nullable=False)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    active = Column(Boolean, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class AuditRow(Base):
    __tablename__ = "workspace_audit"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    username: Mapped[str] = Column(String(60), nullable=False)
    action: Mapped[str] = Column(String(40), nullable=False)
    subject = Column(String(120), nullable=True)  # an entry's id, an account's name
    changes: Mapped[dict[str, Any]] = Column(JSON, nullable=False)  # field -> [before, after]
    comment = Column(Text, nullable=True)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    roles: frozenset[Role]
    languages: frozenset[str]
    session_version: int
    active: bool = True

    def can(self, role: Role) -> bool:
        return role in self.roles

    def may_translate(self, language: str) -> bool:
        return Role.TRANSLATOR in self.roles and language in self.languages and language != SOURCE_LANGUAGE

    def may_edit(self, language: str) -> bool:
        """Editors change every language and the facts; translators the texts of their languages."""
        return Role.EDITOR in self.roles or self.may_translate(language)


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    username: str
    action: str
    subject: str | None
    changes: dict[str, Any]
    comment: str | None


class AccountError(ValueError):
    """An account that cannot be made or changed as asked: the message says why (the command
    line shows it), `key` names the phrase in texts/workspace.yml (the pages show that)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class LoginRefused(Exception):
    """Wrong name or password, or locked after too many failures (the message does not say
    which of name and password was wrong)."""


def _account(row: AccountRow) -> Account:
    return Account(row.id, row.username, frozenset(Role(role) for role in row.roles), frozenset(row.languages),
                   row.session_version, bool(row.active))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_rule", f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def create_account(engine: Engine, username: str, password: str, roles: Iterable[Role],
                   languages: Iterable[str] = (), now: datetime | None = None) -> Account:
    username, roles, languages = username.strip(), frozenset(roles), frozenset(languages)
    if not username or len(username) > 60:
        raise AccountError("name_length", "The name must have 1 to 60 characters.")
    if not roles:
        raise AccountError("choose_a_role", "An account needs at least one role.")
    if unknown := languages - set(LANGUAGES):
        raise AccountError("unknown_language", f"Unknown languages: {', '.join(sorted(unknown))}.")
    if Role.TRANSLATOR in roles and not languages - {SOURCE_LANGUAGE}:
        raise AccountError("translator_needs_language", "A translator needs at least one language.")
    if SOURCE_LANGUAGE in languages:
        raise AccountError("german_is_the_source", "German is the source text: editors change it, not translators.")
    check_password_rules(password)
    with Session(engine) as session, session.begin():
        if session.scalar(select(AccountRow.id).where(AccountRow.username == username)) is not None:
            raise AccountError("name_taken", f"The name {username!r} is taken.")
        row = AccountRow(username=username, password_hash=HASHER.hash(password),
                         roles=sorted(role.value for role in roles), languages=sorted(languages),
                         session_version=1, failed_logins=0, active=True,
                         created_at=now or datetime.now(timezone.utc))
        session.add(row)
        session.flush()
        return _account(row)


REFUSED = ("Wrong name or password, or too many failed attempts: then the account is locked for "
           f"{LOCKED_FOR.seconds // 60} minutes.")


def log_in(engine: Engine, username: str, password: str, now: datetime) -> Account:
    """The account, if the password is right and the account is not locked; after
    FAILURES_BEFORE_LOCK failures in a row the account is locked for LOCKED_FOR. Every refusal
    reads the same and takes as long, so that nobody learns which names exist."""
    with Session(engine) as session, session.begin():  # the failure count is committed, then refused
        row = session.scalar(select(AccountRow).where(AccountRow.username == username.strip()))
        matches = _password_matches(row.password_hash if row else DUMMY_HASH, password)
        usable = row is not None and row.active and (row.locked_until is None or as_utc(row.locked_until) <= now)
        if row is not None and usable and matches:
            row.failed_logins, row.locked_until = 0, None
            if HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = HASHER.hash(password)
            return _account(row)
        if row is not None and usable:
            row.failed_logins += 1
            if row.failed_logins >= FAILURES_BEFORE_LOCK:
                row.failed_logins, row.locked_until = 0, now + LOCKED_FOR
    raise LoginRefused(REFUSED)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(engine: Engine, account_id: int, current: str, new: str) -> Account:
    """Sets a new password and ends every session of the account (its session version)."""
    check_password_rules(new)
    with Session(engine) as session, session.begin():
        row = session.get(AccountRow, account_id)
        if row is None:
            raise AccountError("not_found", "No such account.")
        if not _password_matches(row.password_hash, current):
            raise AccountError("current_password_wrong", "The current password is wrong.")
        row.password_hash, row.session_version = HASHER.hash(new), row.session_version + 1
        return _account(row)


def deactivate_account(engine: Engine, account_id: int) -> Account:
    """The account can no longer log in, and every session of it ends; the audit log keeps its name."""
    with Session(engine) as session, session.begin():
        row = session.get(AccountRow, account_id)
        if row is None:
            raise AccountError("not_found", "No such account.")
        row.active, row.session_version = False, row.session_version + 1
        return _account(row)


def find_account(engine: Engine, account_id: int) -> Account | None:
    with Session(engine) as session:
        row = session.get(AccountRow, account_id)
        return _account(row) if row is not None and row.active else None


def list_accounts(engine: Engine) -> list[Account]:
    with Session(engine) as session:
        return [_account(row) for row in session.scalars(select(AccountRow).order_by(AccountRow.username))]


DEMO_ACCOUNTS: Sequence[tuple[str, frozenset[Role], frozenset[str]]] = (
    ("admin", frozenset({Role.ADMIN}), frozenset()),
    ("koordination", frozenset({Role.EDITOR}), frozenset()),
    ("pruefung", frozenset({Role.REVIEWER}), frozenset()),
    ("uebersetzung-ar", frozenset({Role.TRANSLATOR}), frozenset({"ar"})),
)


def create_demo_accounts(engine: Engine, password: str) -> list[str]:
    """The try-out's accounts (never in production: only `make run` calls this, on its
    embedded store); an existing one is left as it is. Returns the names created."""
    existing = {account.username for account in list_accounts(engine)}
    return [create_account(engine, name, password, roles, languages).username
            for name, roles, languages in DEMO_ACCOUNTS if name not in existing]


def record(engine: Engine, username: str, action: str, subject: str | None = None,
           changes: dict[str, Any] | None = None, comment: str | None = None, now: datetime | None = None) -> None:
    """One line of the audit log: who, when, what (field -> [before, after]) and why."""
    with Session(engine) as session, session.begin():
        session.add(AuditRow(at=now or datetime.now(timezone.utc), username=username, action=action, subject=subject,
                             changes=changes or {}, comment=comment or None))


def audit_log(engine: Engine, limit: int = 200) -> list[AuditEvent]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
        return [AuditEvent(as_utc(row.at), row.username, row.action, row.subject, row.changes, row.comment)
                for row in rows]
