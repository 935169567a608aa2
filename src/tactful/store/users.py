"""Users of the web app and REST API: API tokens (only their hash is kept) and page sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .assemble import user_info
from .context import StoreContext
from .db import Conflict, InvalidInput, NotFound
from .records import UserInfo, now
from .rows import is_id
from .tables import PageSession, User

ROLES = ("agent", "manager", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session_key(token_hash: str) -> str:
    return hashlib.sha256(b"session:" + token_hash.encode("ascii")).hexdigest()[:32]


def session_key(token: str) -> str:
    """What a page session keeps of the token it signed in with (never the token itself)."""
    return _session_key(hash_token(token))


def add_user(ctx: StoreContext, name: str, role: str) -> tuple[UserInfo, str]:
    name = name.strip()
    if not name:
        raise InvalidInput("name", "a user needs a name")
    if role not in ROLES:
        raise InvalidInput("role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
    token = secrets.token_urlsafe(32)
    with ctx.write() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise Conflict(f"a user named {name!r} already exists")
        user = User(name=name, role=role, token_hash=hash_token(token), created_at=now())
        s.add(user)
        s.flush()
        return user_info(user), token


def user_for_token(ctx: StoreContext, token: str) -> UserInfo | None:
    if not token:
        return None
    with ctx.read() as s:
        query = select(User).where(User.token_hash == hash_token(token), User.revoked_at.is_(None))
        user = s.scalar(query)
        return user_info(user) if user else None


def session_user(ctx: StoreContext, user_id: object, key: object, session_id: object) -> UserInfo | None:
    if not is_id(user_id) or not isinstance(key, str) or not isinstance(session_id, str):
        return None
    with ctx.read() as s:
        session = s.get(PageSession, session_id)
        if session is None or session.user_id != user_id or session.ended_at is not None:
            return None
        if session.expires_at <= now():
            return None
        user = s.get(User, user_id)
        if user is None or user.revoked_at is not None:
            return None
        if not hmac.compare_digest(_session_key(user.token_hash), key):
            return None
        return user_info(user)


def open_session(ctx: StoreContext, user_id: int, lifetime_s: float) -> str:
    session_id = secrets.token_hex(16)
    at = now()
    with ctx.write() as s:
        s.execute(delete(PageSession).where(PageSession.expires_at <= at))
        expires = at + timedelta(seconds=lifetime_s)
        s.add(PageSession(id=session_id, user_id=user_id, created_at=at, expires_at=expires))
    return session_id


def end_session(ctx: StoreContext, session_id: str) -> None:
    with ctx.write() as s:
        s.execute(
            update(PageSession)
            .where(PageSession.id == session_id, PageSession.ended_at.is_(None))
            .values(ended_at=now())
        )


def _user_named(s: Session, name: str) -> User:
    user = s.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise NotFound(f"no user named {name.strip()!r}")
    return user


def revoke_user(ctx: StoreContext, name: str) -> UserInfo:
    with ctx.write() as s:
        user = _user_named(s, name)
        if user.role == "admin" and user.revoked_at is None:
            # Every active admin row locked, in id order: two admins revoking each other at once
            # on PostgreSQL take turns, and the second sees that it would leave none.
            admins = select(User.id).where(User.role == "admin", User.revoked_at.is_(None))
            active = list(s.scalars(admins.order_by(User.id).with_for_update()))
            if active == [user.id]:
                raise Conflict(
                    f"{user.name} is the last admin: revoking them would leave nobody to manage "
                    "users; add another admin first (tactful users add NAME --role admin)"
                )
        user.token_hash = hash_token(secrets.token_urlsafe(32))  # nobody holds this token
        user.revoked_at = user.revoked_at or now()
        s.flush()
        return user_info(user)


def rotate_token(ctx: StoreContext, name: str) -> tuple[UserInfo, str]:
    token = secrets.token_urlsafe(32)
    with ctx.write() as s:
        user = _user_named(s, name)
        user.token_hash = hash_token(token)
        user.revoked_at = None
        s.flush()
        return user_info(user), token


def list_users(ctx: StoreContext) -> list[UserInfo]:
    with ctx.read() as s:
        return [user_info(u) for u in s.scalars(select(User).order_by(User.name))]
