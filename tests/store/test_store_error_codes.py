"""Store errors carry codes, and the API answers each code with one status: a database without its
tables is 503 store_unavailable (a helpdesk retries it), never 404 because the driver's message says
"does not exist"."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from tactful.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    StoreError,
    StoreUnavailable,
    TactfulError,
    TooLarge,
)
from tactful.store import Store
from tactful.web.app import WebSettings, create_app
from tactful.web.errors import STATUS


def _drop_cases(store: Store, url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("DROP TABLE cases")
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP TABLE cases CASCADE")


def test_a_store_without_its_tables_is_503_not_404(store: Store, db_url: str) -> None:
    _, token = store.add_user("ana", "manager")
    _drop_cases(store, db_url)
    with pytest.raises(StoreUnavailable) as raised:
        store.cases(limit=5)
    assert raised.value.code == "store_unavailable" and "cases" in str(raised.value)
    app = create_app(store, None, secret_key="k", settings=WebSettings(kb_dir=None, rate_limit=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503, r.text
    assert r.json()["error"] == {"code": "store_unavailable", "message": str(raised.value)}


def test_what_the_store_refuses_says_so_by_its_code(store: Store) -> None:
    with pytest.raises(NotFound) as missing:
        store.case(404)
    with pytest.raises(InvalidInput) as invalid:
        store.log_reply("c-1", "   ")
    store.add_user("ana", "agent")
    with pytest.raises(Conflict) as taken:
        store.add_user("ana", "agent")
    with pytest.raises(NotFound):
        store.report("nope")
    codes = [e.value.code for e in (missing, invalid, taken)]
    assert codes == ["not_found", "invalid_input", "conflict"] and invalid.value.field == "reply"
    assert [STATUS[c] for c in codes] == [404, 422, 409]


def test_every_store_error_is_a_tactful_error_with_a_status() -> None:
    for kind in (StoreError, StoreUnavailable, NotFound, Conflict, InvalidInput, TooLarge):
        assert issubclass(kind, TactfulError) and issubclass(kind, RuntimeError)
        assert kind.code in STATUS
