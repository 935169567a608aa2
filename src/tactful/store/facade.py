"""The Store facade: every front door (CLI, REST, web) remembers and reads cases through it.

Each public method runs in one transaction; writes on SQLite take the write lock up front
(see :mod:`tactful.store.db`). Methods return frozen records, never live ORM objects. The work is
done by one module per concern, each taking the store's :class:`~tactful.store.context.StoreContext`:
users and sessions (:mod:`~tactful.store.users`), webhook deliveries (:mod:`~tactful.store.deliveries`),
cases (:mod:`~tactful.store.cases`), a customer's story (:mod:`~tactful.store.history`), a reply judged
against it (:mod:`~tactful.store.review`), follow-ups (:mod:`~tactful.store.followups`), declined
requests (:mod:`~tactful.store.declined`), feedback and outcomes (:mod:`~tactful.store.feedback`),
search (:mod:`~tactful.store.search`), reports (:mod:`~tactful.store.report_queries`), export and
import (:mod:`~tactful.store.transfer`) and practice (:mod:`~tactful.store.practice`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

from sqlalchemy import Engine

from tactful.sanitize import text_problem

from . import cases, db, declined, deliveries, feedback, followups, history, practice, review, transfer, users
from .context import StoreContext
from .db import InvalidInput, NotFound
from .records import (
    AttemptInfo,
    CaseHit,
    CaseRecord,
    CustomerHistory,
    DeclinedTopic,
    FollowUpInfo,
    ScenarioInfo,
    ShipNotice,
    Table,
    UserInfo,
)

if TYPE_CHECKING:
    from tactful.config import Config
    from tactful.contract import Finding

P = ParamSpec("P")
R = TypeVar("R")


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


class Store:
    """tactful's memory of every no: open it with :func:`open_store`."""

    def __init__(
        self, engine: Engine, url: str, *, config: Config | None = None, redact: bool = True
    ) -> None:
        self.url = url
        self._engine = engine  # the store opens, migrates and closes it; the parts use it via _ctx
        self._ctx = StoreContext(engine, config)
        self.redact = redact

    # ----------------------------------------------------------------- plumbing
    @property
    def dialect(self) -> str:
        return self._ctx.dialect

    @property
    def config(self) -> Config:
        return self._ctx.config

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

    # ----------------------------------------------------------------- users
    @_guarded
    def add_user(self, name: str, role: Literal["agent", "manager", "admin"]) -> tuple[UserInfo, str]:
        """Create a user; the plaintext API token is returned once and only its hash is kept."""
        return users.add_user(self._ctx, name, role)

    @_guarded
    def user_for_token(self, token: str) -> UserInfo | None:
        return users.user_for_token(self._ctx, token)

    @staticmethod
    def session_key(token: str) -> str:
        """What a page session keeps of the token it signed in with (never the token itself)."""
        return users.session_key(token)

    @_guarded
    def session_user(self, user_id: object, key: object, session_id: object) -> UserInfo | None:
        """The user a page session names, while the session is open (not logged out, not expired)
        and the token it signed in with is still theirs: a new token or a revocation ends every
        session signed in with the old one."""
        return users.session_user(self._ctx, user_id, key, session_id)

    @_guarded
    def open_session(self, user_id: int, lifetime_s: float) -> str:
        """Record a page session for ``user_id`` that lasts at most ``lifetime_s``; returns its id
        (the cookie keeps it). Sessions past their end are forgotten here."""
        return users.open_session(self._ctx, user_id, lifetime_s)

    @_guarded
    def end_session(self, session_id: str) -> None:
        """Log a page session out: its cookie, even saved and replayed, signs nobody in again."""
        users.end_session(self._ctx, session_id)

    @_guarded
    def revoke_user(self, name: str) -> UserInfo:
        """Stop ``name``'s API token and page sessions; ``rotate_token`` gives them a new one. The last
        admin is not revoked (nobody could make users or restore anyone after): :class:`Conflict`."""
        return users.revoke_user(self._ctx, name)

    @_guarded
    def rotate_token(self, name: str) -> tuple[UserInfo, str]:
        """A new API token for ``name`` (shown once), ending the old one and its page sessions; it
        also restores a revoked user."""
        return users.rotate_token(self._ctx, name)

    @_guarded
    def list_users(self) -> list[UserInfo]:
        return users.list_users(self._ctx)

    # ----------------------------------------------------------------- webhook deliveries
    @_guarded
    def claim_delivery(self, source: str, key: str) -> bool:
        """True the first time a helpdesk delivery (``source``, its ``key``: the helpdesk's id for
        it) is seen, False for a replay. Kept ``DELIVERY_DAYS``; long keys are kept as their hash."""
        return deliveries.claim_delivery(self._ctx, source, key)

    @_guarded
    def release_delivery(self, source: str, key: str) -> None:
        """Forget a delivery whose processing failed, so the helpdesk's retry is processed."""
        deliveries.release_delivery(self._ctx, source, key)

    # ----------------------------------------------------------------- cases
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
        return cases.log_reply(
            self._ctx,
            customer,
            reply,
            customer_message=customer_message,
            channel=channel,
            agent=agent,
            received_at=received_at,
            sent_at=sent_at,
            conversation=conversation,
            request_type=request_type,
            policy_id=policy_id,
            topic=topic,
            customer_name=customer_name,
            helpdesk_ids=helpdesk_ids,
            redact=redact if redact is not None else self.redact,
            policy=policy,
        )

    @_guarded
    def case(self, case_id: int) -> CaseRecord:
        return cases.case(self._ctx, case_id)

    @_guarded
    def cases(
        self, agent: str | None = None, characteristic: str | None = None, limit: int = 50
    ) -> list[CaseRecord]:
        """Drill-down: an agent's cases, or those weakest on one characteristic, newest first."""
        return cases.cases(self._ctx, agent, characteristic, limit)

    @_guarded
    def history(
        self, customer: str, *, agent: str | None = None, limit: int | None = None, offset: int = 0
    ) -> CustomerHistory:
        """The customer's story, oldest first. ``agent``: only the cases they sent (what an agent
        may see). ``limit``/``offset``: the ``limit`` most recent cases after skipping ``offset``,
        with their promises, follow-ups and feedback; follow-ups tied to no case come with the
        first page (for ``agent``: those they own or nobody does)."""
        return history.history(self._ctx, customer, agent=agent, limit=limit, offset=offset)

    @_guarded
    def set_helpdesk_id(self, customer: str, helpdesk: str, external_id: str) -> None:
        """Remember the customer's id in a helpdesk (Zendesk, Freshdesk, …)."""
        cases.set_helpdesk_id(self._ctx, customer, helpdesk, external_id)

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
        return review.check_consistency(
            self._ctx,
            customer,
            reply,
            customer_message=customer_message,
            request_type=request_type,
            topic=topic,
            at=at,
        )

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
        return review.analyze(
            self._ctx,
            customer,
            reply,
            customer_message=customer_message,
            context=context,
            request_type=request_type,
            topic=topic,
        )

    @_guarded
    def case_analysis(self, case_id: int) -> dict[str, Any]:
        """The analysis (JSON contract) stored when the case was logged, history findings included."""
        return cases.case_analysis(self._ctx, case_id)

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
        return followups.followups(self._ctx, due_before, status, owner=owner, limit=limit, offset=offset)

    @_guarded
    def followup_counts(self, status: str = "open") -> tuple[int, int]:
        """How many follow-ups have ``status``, and how many of them are overdue."""
        return followups.followup_counts(self._ctx, status)

    @_guarded
    def followup(self, id: int) -> FollowUpInfo:
        """One follow-up (whose it is, before an agent may complete it)."""
        return followups.followup(self._ctx, id)

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
        return followups.add_followup(self._ctx, customer, due_at, note, owner=owner, case_id=case_id)

    @_guarded
    def complete_followup(self, id: int) -> None:
        """Mark a follow-up done; the promise behind it counts as kept."""
        followups.complete_followup(self._ctx, id)

    # ----------------------------------------------------------------- declined requests
    @_guarded
    def declined_requests(self) -> list[DeclinedTopic]:
        """Declined requests grouped by topic, most customers first."""
        return declined.declined_requests(self._ctx)

    @_guarded
    def ship_request(self, topic: str) -> list[ShipNotice]:
        """Mark a declined topic shipped and draft each customer who asked a notification."""
        return declined.ship_request(self._ctx, topic)

    # ----------------------------------------------------------------- feedback and outcomes
    @_guarded
    def add_feedback(
        self, case_id: int, csat: int, comment: str | None = None, *, redact: bool | None = None
    ) -> None:
        feedback.add_feedback(
            self._ctx, case_id, csat, comment, redact=self.redact if redact is None else redact
        )

    @_guarded
    def accept_alternative(self, case_id: int, position: int) -> None:
        """Record that the customer took alternative ``position`` (1-based) offered in a refusal."""
        feedback.accept_alternative(self._ctx, case_id, position)

    @_guarded
    def record_outcome(
        self,
        customer: str,
        outcome: Literal["came_back", "bought_again", "churned"],
        at: datetime | None = None,
    ) -> None:
        feedback.record_outcome(self._ctx, customer, outcome, at)

    # ----------------------------------------------------------------- search
    @_guarded
    def search_cases(self, query: str, limit: int = 10, *, agent: str | None = None) -> list[CaseHit]:
        """Past cases most similar to ``query`` (see :mod:`tactful.store.search`); only the cases
        ``agent`` sent, when given (what an agent may see)."""
        from .search import search_cases

        with self._ctx.read() as s:
            return search_cases(s, query, limit, agent)

    # ----------------------------------------------------------------- reports
    @_guarded
    def report(self, name: str) -> Table:
        from .report_queries import REPORTS

        if name not in REPORTS:
            raise NotFound(f"unknown report {name!r}; choose one of: {', '.join(REPORTS)}")
        with self._ctx.read() as s:
            return REPORTS[name](s)

    # ----------------------------------------------------------------- export / import
    @_guarded
    def export_jsonl(self, path: str | Path, *, redact: bool = True, token_hashes: bool = False) -> int:
        """Write every row of the store to ``path`` (JSONL); returns the number of rows. Users' token
        hashes only with ``token_hashes`` (a backup whose users keep signing in with their tokens)."""
        return transfer.export_store(self._ctx, Path(path), redact=redact, token_hashes=token_hashes)

    @_guarded
    def import_jsonl(self, path: str | Path) -> int:
        """Load an export into this (empty) store in one transaction; returns the number of rows.

        An export written by an older tactful (an earlier schema revision) loads too: in one write
        transaction the empty store goes back to that revision, takes the rows, and the migrations
        bring it (and them) to head; a failure anywhere leaves the store as it was."""
        return transfer.import_store(self._ctx, Path(path))

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
        practice.add_scenario(self._ctx, id, title, customer_message, facts, created_by)

    @_guarded
    def scenarios(self) -> list[ScenarioInfo]:
        return practice.scenarios(self._ctx)

    @_guarded
    def record_attempt(
        self, user: str, scenario_id: str, reply: str, score: int, analysis: dict[str, Any]
    ) -> int:
        return practice.record_attempt(self._ctx, user, scenario_id, reply, score, analysis)

    @_guarded
    def attempts(self, user: str) -> list[AttemptInfo]:
        """A user's practice attempts, oldest first (progress over time)."""
        return practice.attempts(self._ctx, user)


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
