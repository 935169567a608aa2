"""The store: tactful remembers every no (customers, cases, promises, follow-ups, feedback).

``open_store()`` gives a :class:`Store`; SQLite by default, PostgreSQL via ``$TACTFUL_DATABASE_URL``.
"""

from .db import StoreError
from .facade import Store, open_store
from .records import (
    AlternativeInfo,
    AttemptInfo,
    CaseHit,
    CaseRecord,
    CustomerHistory,
    DeclinedTopic,
    FeedbackInfo,
    FollowUpInfo,
    OutcomeInfo,
    PromiseInfo,
    RefusalInfo,
    ScenarioInfo,
    ShipNotice,
    Table,
    UserInfo,
)

__all__ = [
    "AlternativeInfo",
    "AttemptInfo",
    "CaseHit",
    "CaseRecord",
    "CustomerHistory",
    "DeclinedTopic",
    "FeedbackInfo",
    "FollowUpInfo",
    "OutcomeInfo",
    "PromiseInfo",
    "RefusalInfo",
    "ScenarioInfo",
    "ShipNotice",
    "Store",
    "StoreError",
    "Table",
    "UserInfo",
    "open_store",
]
