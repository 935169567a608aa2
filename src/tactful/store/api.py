"""The Store facade: every front door (CLI, REST, web) remembers and reads cases through it.

Each public method runs in one transaction; writes on SQLite take the write lock up front
(see :mod:`tactful.store.db`). Methods return frozen records, never live ORM objects.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from tactful.sanitize import text_problem

from . import db
from .assemble import case_record, case_records, followup_info, promise_info, user_info
from .consistency import HISTORY_PERIOD_RULE, OpenPromise, PastCase, check, period_findings
from .db import Conflict, InvalidInput, NotFound, StoreError, TooLarge
from .models import (
    Alternative,
    Attempt,
    Case,
    CaseScore,
    Conversation,
    Customer,
    DeclinedRequest,
    Feedback,
    FollowUp,
    Outcome,
    PageSession,
    Promise,
    Refusal,
    RequestTopic,
    Scenario,
    User,
    WebhookDelivery,
)
from .records import (
    AttemptInfo,
    CaseHit,
    CaseRecord,
    CustomerHistory,
    DeclinedTopic,
    FollowUpInfo,
    OutcomeInfo,
    ScenarioInfo,
    ShipNotice,
    Table,
    UserInfo,
    now,
    to_db,
    utc,
)
from .redact import redact_optional

if TYPE_CHECKING:
    from tactful.config import Config
    from tactful.model import Finding

P = ParamSpec("P")
R = TypeVar("R")
ROLES = ("agent", "manager", "admin")
OUTCOMES = ("came_back", "bought_again", "churned")
# Requests whose topic may be read from the customer's own words ("could you add dark mode?").
FEATURE_TYPES = ("feature_request", "customization")
# An open-ended "I'll get back to you" becomes a follow-up due this long after the reply.
OPEN_PROMISE_DUE = timedelta(days=2)
# How long a processed webhook delivery is remembered (replays are refused within it); far past
# the helpdesks' retry schedules and the signed webhooks' 5-minute freshness window.
DELIVERY_DAYS = 7
DELIVERY_KEPT = timedelta(days=DELIVERY_DAYS)


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """The door of every public method: text that is not text (a NUL, a lone surrogate) is refused
    as :class:`InvalidInput` naming the argument, before any database sees it (a search ``query``
    is only split into words); database and migration errors leave as a one-line :class:`StoreError`."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, Store)
        for name, value in signature.bind(*args, **kwargs).arguments.items():
            problem = text_problem(value) if name not in ("self", "query") else None
            if problem:
                raise InvalidInput(name, f"{name} {problem}")
        with db.translated(store.url):
            return method(*args, **kwargs)

    return wrapper


# Row ids are 64-bit signed integers in SQLite and PostgreSQL: a larger number names no row (and
# would make the driver raise OverflowError / NumericValueOutOfRange instead of finding nothing).
MAX_ID = 2**63 - 1


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _page(query: Any, limit: int | None, offset: int) -> Any:
    """``query`` cut to one page (``limit`` None: all of it)."""
    if offset < 0 or (limit is not None and limit < 1):
        raise InvalidInput("limit", "limit must be at least 1 and offset at least 0")
    return query.offset(offset or None).limit(limit)


def _delivery_key(key: str) -> str:
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


def _session_key(token_hash: str) -> str:
    return hashlib.sha256(b"session:" + token_hash.encode("ascii")).hexdigest()[:32]


class Store:
    """tactful's memory of every no: open it with :func:`open_store`."""

    def __init__(
        self, engine: Engine, url: str, *, config: Config | None = None, redact: bool = True
    ) -> None:
        self.url = url
        self._engine = engine
        self._writer = db.writer(engine)
        self._config = config
        self.redact = redact

    # ----------------------------------------------------------------- plumbing
    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @property
    def config(self) -> Config:
        if self._config is None:
            from tactful.config import ConfigError, load_config

            try:
                self._config = load_config()
            except ConfigError as exc:
                raise StoreError(str(exc)) from None
        return self._config

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as s, s.begin():
            yield s

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_guarded
    def revision(self) -> str | None:
        with self._engine.connect() as conn:
            return db.current_revision(conn)

    @_guarded
    def upgrade(self, revision: str = "head") -> str | None:
        return db.upgrade(self._engine, revision)

    def _get_or_create(self, s: Session, model: type[Any], values: dict[str, Any], keys: list[str]) -> int:
        """The id of the row matching ``keys``, inserted if missing; safe against a concurrent insert
        (``ON CONFLICT DO NOTHING`` then read back), so two writers never fail on the unique key."""
        match = select(model.id).where(*(getattr(model, k) == values[k] for k in keys))
        found = s.scalar(match)
        if found is not None:
            return int(found)
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            s.execute(pg_insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            s.execute(sqlite_insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
        found = s.scalar(match)
        assert found is not None
        return int(found)

    def _customer_id(self, s: Session, key: str, name: str | None = None) -> int:
        key = key.strip()
        if not key:
            raise InvalidInput("customer", "the customer id must not be empty")
        values: dict[str, Any] = {"key": key, "name": name, "helpdesk_ids": {}, "created_at": now()}
        cid = self._get_or_create(s, Customer, values, ["key"])
        if name:
            s.execute(update(Customer).where(Customer.id == cid, Customer.name.is_(None)).values(name=name))
        return cid

    def _find_customer(self, s: Session, key: str) -> Customer:
        customer = s.scalar(select(Customer).where(Customer.key == key))
        if customer is None:
            raise NotFound(f"no customer {key!r} in the store")
        return customer

    # ----------------------------------------------------------------- users
    @_guarded
    def add_user(self, name: str, role: Literal["agent", "manager", "admin"]) -> tuple[UserInfo, str]:
        """Create a user; the plaintext API token is returned once and only its hash is kept."""
        name = name.strip()
        if not name:
            raise InvalidInput("name", "a user needs a name")
        if role not in ROLES:
            raise InvalidInput("role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
        token = secrets.token_urlsafe(32)
        with self._write() as s:
            if s.scalar(select(User.id).where(User.name == name)) is not None:
                raise Conflict(f"a user named {name!r} already exists")
            user = User(name=name, role=role, token_hash=_hash(token), created_at=now())
            s.add(user)
            s.flush()
            return user_info(user), token

    @_guarded
    def user_for_token(self, token: str) -> UserInfo | None:
        if not token:
            return None
        with self._read() as s:
            query = select(User).where(User.token_hash == _hash(token), User.revoked_at.is_(None))
            user = s.scalar(query)
            return user_info(user) if user else None

    @staticmethod
    def session_key(token: str) -> str:
        """What a page session keeps of the token it signed in with (never the token itself)."""
        return _session_key(_hash(token))

    @_guarded
    def session_user(self, user_id: object, key: object, session_id: object) -> UserInfo | None:
        """The user a page session names, while the session is open (not logged out, not expired)
        and the token it signed in with is still theirs: a new token or a revocation ends every
        session signed in with the old one."""
        if not _is_id(user_id) or not isinstance(key, str) or not isinstance(session_id, str):
            return None
        with self._read() as s:
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

    @_guarded
    def open_session(self, user_id: int, lifetime_s: float) -> str:
        """Record a page session for ``user_id`` that lasts at most ``lifetime_s``; returns its id
        (the cookie keeps it). Sessions past their end are forgotten here."""
        session_id = secrets.token_hex(16)
        at = now()
        with self._write() as s:
            s.execute(delete(PageSession).where(PageSession.expires_at <= at))
            expires = at + timedelta(seconds=lifetime_s)
            s.add(PageSession(id=session_id, user_id=user_id, created_at=at, expires_at=expires))
        return session_id

    @_guarded
    def end_session(self, session_id: str) -> None:
        """Log a page session out: its cookie, even saved and replayed, signs nobody in again."""
        with self._write() as s:
            s.execute(
                update(PageSession)
                .where(PageSession.id == session_id, PageSession.ended_at.is_(None))
                .values(ended_at=now())
            )

    def _user_named(self, s: Session, name: str) -> User:
        user = s.scalar(select(User).where(User.name == name.strip()))
        if user is None:
            raise NotFound(f"no user named {name.strip()!r}")
        return user

    @_guarded
    def revoke_user(self, name: str) -> UserInfo:
        """Stop ``name``'s API token and page sessions; ``rotate_token`` gives them a new one. The last
        admin is not revoked (nobody could make users or restore anyone after): :class:`Conflict`."""
        with self._write() as s:
            user = self._user_named(s, name)
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
            user.token_hash = _hash(secrets.token_urlsafe(32))  # nobody holds this token
            user.revoked_at = user.revoked_at or now()
            s.flush()
            return user_info(user)

    @_guarded
    def rotate_token(self, name: str) -> tuple[UserInfo, str]:
        """A new API token for ``name`` (shown once), ending the old one and its page sessions; it
        also restores a revoked user."""
        token = secrets.token_urlsafe(32)
        with self._write() as s:
            user = self._user_named(s, name)
            user.token_hash = _hash(token)
            user.revoked_at = None
            s.flush()
            return user_info(user), token

    @_guarded
    def list_users(self) -> list[UserInfo]:
        with self._read() as s:
            return [user_info(u) for u in s.scalars(select(User).order_by(User.name))]

    # ----------------------------------------------------------------- webhook deliveries
    @_guarded
    def claim_delivery(self, source: str, key: str) -> bool:
        """True the first time a helpdesk delivery (``source``, its ``key``: the helpdesk's id for
        it) is seen, False for a replay. Kept ``DELIVERY_DAYS``; long keys are kept as their hash."""
        key = _delivery_key(key)
        at = now()
        with self._write() as s:
            s.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < at - DELIVERY_KEPT))
            if self.dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
            table: Any = WebhookDelivery.__table__
            statement = insert(table).values(source=source, key=key, received_at=at).on_conflict_do_nothing()
            return s.execute(statement.returning(table.c.id)).first() is not None  # no row: seen before

    @_guarded
    def release_delivery(self, source: str, key: str) -> None:
        """Forget a delivery whose processing failed, so the helpdesk's retry is processed."""
        match = (WebhookDelivery.source == source, WebhookDelivery.key == _delivery_key(key))
        with self._write() as s:
            s.execute(delete(WebhookDelivery).where(*match))

    # ----------------------------------------------------------------- cases
    def _past(self, s: Session, customer_id: int) -> tuple[list[PastCase], list[OpenPromise]]:
        columns = (Case.id, Case.sent_at, Case.reply, Case.request_type, Case.topic, Case.is_refusal)
        query = select(*columns, Case.exception_granted).where(Case.customer_id == customer_id)
        past = [PastCase(*row) for row in s.execute(query.order_by(Case.sent_at, Case.id)).all()]
        shipped = set(s.scalars(select(RequestTopic.topic).where(RequestTopic.status == "shipped")))
        rows = s.execute(
            select(Promise, Case.sent_at)
            .join(Case, Case.id == Promise.case_id)
            .where(Promise.customer_id == customer_id, Promise.status == "open")
        ).all()
        promises = [
            OpenPromise(p.id, p.case_id, sent, p.text, p.due_at, bool(p.topic and p.topic in shipped))
            for p, sent in rows
        ]
        return past, promises

    def _review(
        self,
        reply: str,
        customer_message: str | None,
        context: dict[str, Any],
        past: list[PastCase],
        promises: list[OpenPromise],
        request_type: str | None,
        topic: str | None,
        at: datetime,
    ) -> Any:
        """Analyze ``reply`` with the customer's history, the store's own findings counted in the score.

        One analysis pass: the memory findings (repeated no, promise not kept, exception reversed) go
        in as extra findings, and the analyzer's history-period findings are re-worded to name the
        earlier case. ``log_reply`` stores exactly what ``analyze`` returns for the same history."""
        import dataclasses

        from tactful.analyzer.core import analyze
        from tactful.analyzer.features import extract as features

        if past:
            context = {**context, "history": [p.reply for p in past]}
        memory: list[Finding] = []
        if past or promises:
            refusals = features(reply).refusals
            memory = check(reply, refusals, past, promises, request_type=request_type, topic=topic, now=at)
            memory = [f for f in memory if self.config.rule_enabled(f.rule)]  # [rules] disable
        analysis = analyze(
            reply, customer_message, context or None, config=self.config, extra_findings=memory
        )
        if past:
            periods = period_findings(reply, analysis.findings, past)
            others = [f for f in analysis.findings if f.rule != HISTORY_PERIOD_RULE]
            findings = sorted([*others, *periods], key=lambda f: (f.start, f.end, f.rule))
            analysis = dataclasses.replace(analysis, findings=findings)
        return analysis

    def _type_and_topic(
        self, found: Any, customer_message: str | None, request_type: str | None, topic: str | None
    ) -> tuple[str | None, str | None]:
        """The request type and topic a reply is filed under: given ones win, else what the customer's
        message and the reply (``found``, from ``extract``) say."""
        from .extract import normalize_topic

        rtype = request_type or self._request_type(customer_message, "other" if found.is_refusal else "")
        the_topic = normalize_topic(topic) if topic else found.topic
        if the_topic is None and rtype in FEATURE_TYPES:
            the_topic = found.asked_topic
        if the_topic is None and found.declined_feature:  # "we won't be adding dark mode"
            the_topic = found.declined_feature
            if not request_type and rtype not in FEATURE_TYPES:
                rtype = "feature_request"
        return rtype, the_topic

    @staticmethod
    def _request_type(customer_message: str | None, fallback: str) -> str | None:
        if customer_message:
            from tactful.understanding import understand

            request = understand(customer_message).request
            if request is not None:
                return request.type
        return fallback or None

    @_guarded
    def log_reply(
        self,
        customer: str,
        reply: str,
        *,
        customer_message: str | None = None,
        channel: str | None = None,
        agent: str | None = None,
        received_at: datetime | None = None,
        sent_at: datetime | None = None,
        conversation: str | None = None,
        request_type: str | None = None,
        policy_id: str | None = None,
        topic: str | None = None,
        customer_name: str | None = None,
        helpdesk_ids: dict[str, str] | None = None,
        redact: bool | None = None,
        policy: Any = None,
    ) -> CaseRecord:
        """Record a sent reply: analysis, refusal, alternatives, promises, follow-ups (one transaction).

        ``policy`` (as in :func:`tactful.analyze`'s context) lets consistency judge the reply against
        the policy too, as the agent page does while the reply is drafted."""
        from .extract import extract

        if not isinstance(reply, str) or not reply.strip():
            raise InvalidInput("reply", "the reply is empty: nothing to log")
        limit = self.config.limits.max_chars
        if len(reply) > limit:
            raise TooLarge(
                f"the reply is {len(reply):,} characters; the limit is {limit:,} (limits.max_chars)"
            )
        if redact if redact is not None else self.redact:
            reply = redact_optional(reply) or ""
            customer_message = redact_optional(customer_message)
        sent = to_db(sent_at) or now()
        received = to_db(received_at)
        if received is not None and received > sent:
            raise InvalidInput("received_at", "received_at is later than sent_at")
        context: dict[str, Any] = {}
        if policy is not None:
            context["policy"] = policy
        if channel:
            context["channel"] = channel
        if received is not None:
            context["received_at"] = received.isoformat()
            context["replied_at"] = sent.isoformat()
        response = sla = None
        if received is not None:
            from tactful.analyzer.rubric import response_minutes, sla_minutes

            try:
                response = response_minutes(context)
                sla = sla_minutes(context, self.config)
            except ValueError as exc:
                raise StoreError(str(exc)) from None
        found = extract(reply, customer_message, sent, context)
        rtype, the_topic = self._type_and_topic(found, customer_message, request_type, topic)
        with self._write() as s:
            cid = self._customer_id(s, customer, customer_name)
            if helpdesk_ids:
                row = s.get(Customer, cid)
                assert row is not None
                row.helpdesk_ids = {**row.helpdesk_ids, **helpdesk_ids}
            past, promises = self._past(s, cid)
            try:
                analysis = self._review(
                    reply, customer_message, context, past, promises, rtype, the_topic, sent
                )
            except ValueError as exc:  # the analyzer's refusal (bad context); the size was checked above
                raise StoreError(str(exc)) from None
            conv_key = conversation or f"auto-{uuid.uuid4().hex[:12]}"
            conv_id = self._get_or_create(
                s,
                Conversation,
                {"customer_id": cid, "key": conv_key, "channel": channel, "created_at": sent},
                ["customer_id", "key"],
            )
            wire = analysis.to_dict()
            case = Case(
                conversation_id=conv_id,
                customer_id=cid,
                agent=agent,
                channel=channel,
                customer_message=customer_message,
                reply=reply,
                received_at=received,
                sent_at=sent,
                request_type=rtype,
                policy_id=policy_id,
                topic=the_topic,
                is_refusal=analysis.is_refusal,
                exception_granted=found.exception_granted,
                score=analysis.score,
                response_minutes=response,
                sla_minutes=sla,
                analysis=wire,
            )
            s.add(case)
            s.flush()
            refusal: Refusal | None = None
            alternatives: list[Alternative] = []
            promises_made: list[Promise] = []
            followups: list[FollowUp] = []
            for name, value in analysis.characteristics.items():
                if value.applicable and value.score is not None:
                    s.add(CaseScore(case_id=case.id, characteristic=name, score=round(value.score, 3)))
            if analysis.is_refusal:
                refusal = Refusal(
                    case_id=case.id,
                    customer_id=cid,
                    request_type=rtype or "other",
                    policy_id=policy_id,
                    reason=found.reason,
                )
                s.add(refusal)
                s.flush()
                alternatives = [
                    Alternative(refusal_id=refusal.id, position=i, text=alt_text, kind=kind, accepted=False)
                    for i, (alt_text, kind) in enumerate(found.alternatives, 1)
                ]
                s.add_all(alternatives)
                if the_topic:
                    tid = self._get_or_create(
                        s,
                        RequestTopic,
                        {"topic": the_topic, "request_type": rtype, "status": "declined", "shipped_at": None},
                        ["topic"],
                    )
                    s.add(DeclinedRequest(topic_id=tid, customer_id=cid, case_id=case.id, asked_at=sent))
            for p in found.promises:
                promise = Promise(
                    case_id=case.id,
                    customer_id=cid,
                    text=p.text,
                    kind=p.kind,
                    topic=p.topic,
                    due_at=p.due_at,
                    status="open",
                )
                s.add(promise)
                s.flush()
                promises_made.append(promise)
                if p.kind == "contact":
                    followups.append(
                        FollowUp(
                            case_id=case.id,
                            customer_id=cid,
                            promise_id=promise.id,
                            due_at=p.due_at or sent + OPEN_PROMISE_DUE,
                            owner=agent,
                            note=f"Promised: {p.text}",
                            status="open",
                        )
                    )
            s.add_all(followups)
            s.flush()
            return case_record(
                case, customer.strip(), conv_key, refusal, alternatives, promises_made, followups, [], now()
            )

    @_guarded
    def case(self, case_id: int) -> CaseRecord:
        with self._read() as s:
            found = s.get(Case, case_id) if _is_id(case_id) else None
            if found is None:
                raise NotFound(f"no case #{case_id} in the store")
            return case_records(s, [found])[0]

    @_guarded
    def cases(
        self, agent: str | None = None, characteristic: str | None = None, limit: int = 50
    ) -> list[CaseRecord]:
        """Drill-down: an agent's cases, or those weakest on one characteristic, newest first."""
        query = select(Case)
        if agent is not None:
            query = query.where(Case.agent == agent)
        if characteristic is not None:
            query = query.join(CaseScore, CaseScore.case_id == Case.id).where(
                CaseScore.characteristic == characteristic
            )
            query = query.order_by(CaseScore.score, Case.sent_at.desc(), Case.id.desc())
        else:
            query = query.order_by(Case.sent_at.desc(), Case.id.desc())
        with self._read() as s:
            return case_records(s, list(s.scalars(query.limit(max(1, limit)))))

    @_guarded
    def history(
        self, customer: str, *, agent: str | None = None, limit: int | None = None, offset: int = 0
    ) -> CustomerHistory:
        """The customer's story, oldest first. ``agent``: only the cases they sent (what an agent
        may see). ``limit``/``offset``: the ``limit`` most recent cases after skipping ``offset``,
        with their promises, follow-ups and feedback; follow-ups tied to no case come with the
        first page (for ``agent``: those they own or nobody does)."""
        with self._read() as s:
            c = self._find_customer(s, customer)
            query = select(Case).where(Case.customer_id == c.id)
            if agent is not None:
                query = query.where(Case.agent == agent)
            newest = _page(query.order_by(Case.sent_at.desc(), Case.id.desc()), limit, offset)
            cases = list(reversed(list(s.scalars(newest))))
            records = case_records(s, cases)
            at = now()
            promised = select(Promise).where(Promise.customer_id == c.id)
            follow_query = select(FollowUp).where(FollowUp.customer_id == c.id)
            if agent is not None or limit is not None or offset:  # a part of the story: its cases'
                shown = [x.id for x in cases]
                promised = promised.where(Promise.case_id.in_(shown))
                unlinked: Any = FollowUp.case_id.is_(None)
                if agent is not None:
                    unlinked = unlinked & or_(FollowUp.owner == agent, FollowUp.owner.is_(None))
                linked = FollowUp.case_id.in_(shown)
                follow_query = follow_query.where(or_(linked, unlinked) if offset == 0 else linked)
            promises = s.scalars(promised.order_by(Promise.id))
            follow = s.scalars(follow_query.order_by(FollowUp.due_at))
            outcomes = s.scalars(select(Outcome).where(Outcome.customer_id == c.id).order_by(Outcome.at))
            topics = s.scalars(
                select(RequestTopic.topic)
                .join(DeclinedRequest, DeclinedRequest.topic_id == RequestTopic.id)
                .where(DeclinedRequest.customer_id == c.id)
                .distinct()
                .order_by(RequestTopic.topic)
            )
            return CustomerHistory(
                customer=c.key,
                name=c.name,
                helpdesk_ids=dict(c.helpdesk_ids),
                cases=tuple(records),
                promises=tuple(promise_info(p) for p in promises),
                followups=tuple(followup_info(f, c.key, at) for f in follow),
                feedback=tuple(fb for r in records for fb in r.feedback),
                outcomes=tuple(OutcomeInfo(o.outcome, utc(o.at)) for o in outcomes),
                declined_topics=tuple(topics),
            )

    @_guarded
    def set_helpdesk_id(self, customer: str, helpdesk: str, external_id: str) -> None:
        """Remember the customer's id in a helpdesk (Zendesk, Freshdesk, …)."""
        with self._write() as s:
            cid = self._customer_id(s, customer)
            c = s.get(Customer, cid)
            assert c is not None
            c.helpdesk_ids = {**c.helpdesk_ids, helpdesk: external_id}

    @_guarded
    def check_consistency(
        self,
        customer: str,
        reply: str,
        *,
        customer_message: str | None = None,
        request_type: str | None = None,
        topic: str | None = None,
        at: datetime | None = None,
    ) -> list[Finding]:
        """The ``consistency`` findings ``reply`` would get against this customer's history."""
        past, promises, rtype, the_topic, at_db = self._history(
            customer, reply, customer_message, request_type, topic, at
        )
        if not past:  # nothing to be consistent with: no analysis needed
            return []
        analysis = self._review(reply, customer_message, {}, past, promises, rtype, the_topic, at_db)
        return [f for f in analysis.findings if f.characteristic == "consistency"]

    def _history(
        self,
        customer: str,
        reply: str,
        customer_message: str | None,
        request_type: str | None,
        topic: str | None,
        at: datetime | None,
    ) -> tuple[list[PastCase], list[OpenPromise], str | None, str | None, datetime]:
        """What ``_review`` needs to judge ``reply`` against this customer: their earlier cases, open
        promises, the request type and topic the reply is filed under, and the time."""
        from .extract import extract

        at_db = to_db(at) or now()
        past: list[PastCase] = []
        promises: list[OpenPromise] = []
        if reply.strip():
            with self._read() as s:
                cid = s.scalar(select(Customer.id).where(Customer.key == customer.strip()))
                if cid is not None:
                    past, promises = self._past(s, cid)
        if not past:
            return past, promises, request_type, topic, at_db
        found = extract(reply, customer_message, at_db, {})
        rtype, the_topic = self._type_and_topic(found, customer_message, request_type, topic)
        return past, promises, rtype, the_topic, at_db

    @_guarded
    def analyze(
        self,
        customer: str,
        reply: str,
        *,
        customer_message: str | None = None,
        context: dict[str, Any] | None = None,
        request_type: str | None = None,
        topic: str | None = None,
    ) -> Any:
        """:func:`tactful.analyze` for a known customer: their earlier replies are the history, and
        the store's consistency findings (pointing at the earlier case) count in the score; the
        score is the one ``log_reply`` would store. Raises what :func:`tactful.analyze` raises
        (``TextTooLarge``, ``ValueError``) for the text itself."""
        if not isinstance(reply, str):
            raise TypeError(f"reply must be a str, not {type(reply).__name__}")
        past, promises, rtype, the_topic, at_db = self._history(
            customer, reply, customer_message, request_type, topic, None
        )
        return self._review(
            reply, customer_message, dict(context or {}), past, promises, rtype, the_topic, at_db
        )

    @_guarded
    def case_analysis(self, case_id: int) -> dict[str, Any]:
        """The analysis (JSON contract) stored when the case was logged, history findings included."""
        with self._read() as s:
            found = s.get(Case, case_id) if _is_id(case_id) else None
            if found is None:
                raise NotFound(f"no case #{case_id} in the store")
            return dict(found.analysis)

    # ----------------------------------------------------------------- follow-ups
    @_guarded
    def followups(
        self,
        due_before: datetime | None = None,
        status: str = "open",
        *,
        owner: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[FollowUpInfo]:
        """Follow-ups with ``status`` ("open", "done" or "all"), due before ``due_before`` if given,
        soonest first; ``owner``: only theirs and those nobody owns; ``limit``/``offset``: one page."""
        query = self._followups_query(due_before, status, owner)
        at = now()
        with self._read() as s:
            rows = s.execute(_page(query.order_by(FollowUp.due_at, FollowUp.id), limit, offset)).all()
            return [followup_info(f, key, at) for f, key in rows]

    @_guarded
    def followup_counts(self, status: str = "open") -> tuple[int, int]:
        """How many follow-ups have ``status``, and how many of them are overdue."""
        query = self._followups_query(None, status, None).subquery()
        late = func.sum(when((query.c.due_at < now(), 1), else_=0))
        with self._read() as s:
            total, overdue = s.execute(select(func.count(), late).select_from(query)).one()
            return int(total), int(overdue or 0)

    def _followups_query(self, due_before: datetime | None, status: str, owner: str | None) -> Any:
        if status not in ("open", "done", "all"):
            raise InvalidInput("status", f"status must be open, done or all, not {status!r}")
        query = select(FollowUp, Customer.key).join(Customer, Customer.id == FollowUp.customer_id)
        if status != "all":
            query = query.where(FollowUp.status == status)
        if due_before is not None:
            query = query.where(FollowUp.due_at <= to_db(due_before))
        if owner is not None:
            query = query.where(or_(FollowUp.owner == owner, FollowUp.owner.is_(None)))
        return query

    @_guarded
    def followup(self, id: int) -> FollowUpInfo:
        """One follow-up (whose it is, before an agent may complete it)."""
        query = self._followups_query(None, "all", None).where(FollowUp.id == id)
        with self._read() as s:
            row = s.execute(query).first() if _is_id(id) else None
            if row is None:
                raise NotFound(f"no follow-up #{id} in the store")
            return followup_info(row[0], row[1], now())

    @_guarded
    def add_followup(
        self,
        customer: str,
        due_at: datetime,
        note: str,
        *,
        owner: str | None = None,
        case_id: int | None = None,
    ) -> int:
        with self._write() as s:
            cid = self._customer_id(s, customer)
            f = FollowUp(
                case_id=case_id,
                customer_id=cid,
                promise_id=None,
                due_at=to_db(due_at),
                owner=owner,
                note=note,
                status="open",
            )
            s.add(f)
            s.flush()
            return f.id

    @_guarded
    def complete_followup(self, id: int) -> None:
        """Mark a follow-up done; the promise behind it counts as kept."""
        with self._write() as s:
            f = s.get(FollowUp, id) if _is_id(id) else None
            if f is None:
                raise NotFound(f"no follow-up #{id} in the store")
            if f.status == "done":
                return
            f.status, f.done_at = "done", now()
            if f.promise_id is not None:
                s.execute(
                    update(Promise)
                    .where(Promise.id == f.promise_id, Promise.status == "open")
                    .values(status="kept", kept_at=f.done_at)
                )

    # ----------------------------------------------------------------- declined requests
    @_guarded
    def declined_requests(self) -> list[DeclinedTopic]:
        """Declined requests grouped by topic, most customers first."""
        customers = func.count(DeclinedRequest.customer_id.distinct())
        query = (
            select(RequestTopic, customers, func.max(DeclinedRequest.asked_at))
            .join(DeclinedRequest, DeclinedRequest.topic_id == RequestTopic.id)
            .group_by(RequestTopic.id)
            .order_by(customers.desc(), RequestTopic.topic)
        )
        with self._read() as s:
            return [
                DeclinedTopic(t.topic, t.request_type, n, utc(last), t.status, utc(t.shipped_at))
                for t, n, last in s.execute(query).all()
            ]

    @_guarded
    def ship_request(self, topic: str) -> list[ShipNotice]:
        """Mark a declined topic shipped and draft each customer who asked a notification."""
        from tactful.analyzer.core import analyze

        from .extract import normalize_topic
        from .requests import draft_notification

        key = normalize_topic(topic)
        at = now()
        with self._write() as s:
            t = s.scalar(select(RequestTopic).where(RequestTopic.topic == key))
            if t is None:
                known = (
                    ", ".join(s.scalars(select(RequestTopic.topic).order_by(RequestTopic.topic)))
                    or "none yet"
                )
                raise NotFound(f"no declined request on {key!r} (topics: {known})")
            t.status, t.shipped_at = "shipped", t.shipped_at or at
            rows = s.execute(
                select(DeclinedRequest, Customer)
                .join(Customer, Customer.id == DeclinedRequest.customer_id)
                .where(DeclinedRequest.topic_id == t.id)
                .order_by(DeclinedRequest.asked_at, DeclinedRequest.id)
            ).all()
            promised = set(
                s.scalars(select(Promise.customer_id).where(Promise.topic == key, Promise.kind == "notify"))
            )
            notices: list[ShipNotice] = []
            seen: set[int] = set()
            for request, customer in rows:
                if request.notified_at is None:
                    request.notified_at = at
                if customer.id in seen:
                    continue
                seen.add(customer.id)
                draft = draft_notification(customer.name, key, request.asked_at, customer.id in promised)
                notices.append(
                    ShipNotice(
                        customer=customer.key,
                        name=customer.name,
                        topic=key,
                        asked_at=utc(request.asked_at),
                        case_id=request.case_id,
                        draft=draft,
                        score=analyze(draft, config=self.config).score,
                    )
                )
            s.execute(
                update(Promise)
                .where(Promise.topic == key, Promise.kind == "notify", Promise.status == "open")
                .values(status="kept", kept_at=at)
            )
            return notices

    # ----------------------------------------------------------------- feedback and outcomes
    @_guarded
    def add_feedback(
        self, case_id: int, csat: int, comment: str | None = None, *, redact: bool | None = None
    ) -> None:
        if isinstance(csat, bool) or not isinstance(csat, int) or not 1 <= csat <= 5:
            raise InvalidInput("csat", f"CSAT must be a whole number from 1 to 5, not {csat!r}")
        with self._write() as s:
            if not _is_id(case_id) or s.get(Case, case_id) is None:
                raise NotFound(f"no case #{case_id} in the store")
            text_ = redact_optional(comment) if (self.redact if redact is None else redact) else comment
            s.add(Feedback(case_id=case_id, csat=csat, comment=text_, created_at=now()))

    @_guarded
    def accept_alternative(self, case_id: int, position: int) -> None:
        """Record that the customer took alternative ``position`` (1-based) offered in a refusal."""
        with self._write() as s:
            refusal = s.scalar(select(Refusal).where(Refusal.case_id == case_id)) if _is_id(case_id) else None
            if refusal is None:
                raise NotFound(f"case #{case_id} is not a recorded refusal")
            alt = s.scalar(
                select(Alternative).where(
                    Alternative.refusal_id == refusal.id, Alternative.position == position
                )
            )
            if alt is None:
                raise NotFound(f"case #{case_id} has no alternative #{position}")
            alt.accepted = True

    @_guarded
    def record_outcome(
        self,
        customer: str,
        outcome: Literal["came_back", "bought_again", "churned"],
        at: datetime | None = None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome", f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        with self._write() as s:
            c = self._find_customer(s, customer)
            s.add(Outcome(customer_id=c.id, outcome=outcome, at=to_db(at) or now()))

    # ----------------------------------------------------------------- search
    @_guarded
    def search_cases(self, query: str, limit: int = 10, *, agent: str | None = None) -> list[CaseHit]:
        """Past cases most similar to ``query`` (see :mod:`tactful.store.search`); only the cases
        ``agent`` sent, when given (what an agent may see)."""
        from .search import search_cases

        with self._read() as s:
            return search_cases(s, query, limit, agent)

    # ----------------------------------------------------------------- reports
    @_guarded
    def report(self, name: str) -> Table:
        from .reports import REPORTS

        if name not in REPORTS:
            raise NotFound(f"unknown report {name!r}; choose one of: {', '.join(REPORTS)}")
        with self._read() as s:
            return REPORTS[name](s)

    # ----------------------------------------------------------------- export / import
    @_guarded
    def export_jsonl(self, path: str | Path, *, redact: bool = True, token_hashes: bool = False) -> int:
        """Write every row of the store to ``path`` (JSONL); returns the number of rows. Users' token
        hashes only with ``token_hashes`` (a backup whose users keep signing in with their tokens)."""
        from .transfer import export_rows

        with self._read() as s:
            revision = db.current_revision(s.connection())
            return export_rows(s, Path(path), redact=redact, revision=revision, token_hashes=token_hashes)

    @_guarded
    def import_jsonl(self, path: str | Path) -> int:
        """Load an export into this (empty) store in one transaction; returns the number of rows.

        An export written by an older tactful (an earlier schema revision) loads too: in one write
        transaction the empty store goes back to that revision, takes the rows, and the migrations
        bring it (and them) to head; a failure anywhere leaves the store as it was."""
        from .transfer import export_revision, import_rows, is_empty, require_empty

        path = Path(path)
        written_at = export_revision(path)
        with self._read() as s:
            current = db.current_revision(s.connection())
            empty = is_empty(s)
        if written_at is not None and written_at != current and empty:
            known = db.revisions()
            if written_at not in known:
                raise StoreError(
                    f"{path}: the export is from schema revision {written_at}, which this tactful does not "
                    f"know (it knows {', '.join(known)}); use the tactful that wrote it, or a newer one"
                )
            if current in known and known.index(written_at) < known.index(current):

                def load(conn: Any) -> int:
                    with Session(bind=conn) as s:
                        return import_rows(s, path, revision=written_at)

                # still empty, checked (and on PostgreSQL locked) in the transaction that drops tables
                return db.at_revision(self._engine, written_at, load, before=require_empty)
        with self._write() as s:
            return import_rows(s, path, revision=current)

    # ----------------------------------------------------------------- practice mode
    @_guarded
    def add_scenario(
        self,
        id: str,
        title: str,
        customer_message: str,
        facts: dict[str, Any],
        created_by: str | None = None,
    ) -> None:
        """Create or update a practice scenario."""
        if not id.strip() or not title.strip() or not customer_message.strip():
            raise InvalidInput(None, "a scenario needs an id, a title and a customer message")
        with self._write() as s:
            found = s.get(Scenario, id)
            if found is None:
                s.add(
                    Scenario(
                        id=id,
                        title=title,
                        customer_message=customer_message,
                        facts=dict(facts),
                        created_by=created_by,
                        created_at=now(),
                    )
                )
            else:
                found.title, found.customer_message, found.facts = title, customer_message, dict(facts)

    @_guarded
    def scenarios(self) -> list[ScenarioInfo]:
        with self._read() as s:
            return [
                ScenarioInfo(
                    x.id, x.title, x.customer_message, dict(x.facts), x.created_by, utc(x.created_at)
                )
                for x in s.scalars(select(Scenario).order_by(Scenario.created_at, Scenario.id))
            ]

    @_guarded
    def record_attempt(
        self, user: str, scenario_id: str, reply: str, score: int, analysis: dict[str, Any]
    ) -> int:
        with self._write() as s:
            if s.get(Scenario, scenario_id) is None:
                raise NotFound(f"no practice scenario {scenario_id!r}")
            attempt = Attempt(
                user=user,
                scenario_id=scenario_id,
                reply=reply,
                score=int(score),
                analysis=analysis,
                created_at=now(),
            )
            s.add(attempt)
            s.flush()
            return attempt.id

    @_guarded
    def attempts(self, user: str) -> list[AttemptInfo]:
        """A user's practice attempts, oldest first (progress over time)."""
        with self._read() as s:
            return [
                AttemptInfo(
                    a.id, a.user, a.scenario_id, a.reply, a.score, dict(a.analysis), utc(a.created_at)
                )
                for a in s.scalars(
                    select(Attempt).where(Attempt.user == user).order_by(Attempt.created_at, Attempt.id)
                )
            ]

    # ----------------------------------------------------------------- demo data
    @_guarded
    def seed_demo(self) -> int:
        """Load the demo customers and cases once; returns how many cases were added (0 if present)."""
        from .demo import load_demo

        return load_demo(self)


def open_store(
    url: str | None = None,
    *,
    config: Config | None = None,
    redact: bool = True,
    upgrade: bool = True,
    timeout_s: float | None = None,
) -> Store:
    """Open the store at ``url`` (else ``$TACTFUL_DATABASE_URL``, else ``[store] url`` in the
    config, else ``./tactful.db``), schema upgraded."""
    resolved = db.resolve_url(url, config.store.url if config is not None else None)
    with db.translated(resolved):
        engine = db.make_engine(resolved, timeout_s)
        try:
            if upgrade:
                db.upgrade(engine)
            else:
                with engine.connect():
                    pass
        except BaseException:
            engine.dispose()
            raise
    return Store(engine, resolved, config=config, redact=redact)
