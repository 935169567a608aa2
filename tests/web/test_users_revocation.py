"""Revoking a user or rotating their token ends their API access and their page sessions at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


def _login(client: TestClient, token: str) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        "/login", data={"token": token, "csrf": csrf.group(1), "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303


def test_revoking_ends_the_token_and_the_page_session(
    client: TestClient, client_as: Any, web_users: dict[str, Any]
) -> None:
    agent = web_users["agent"]
    _login(client, agent.token)
    assert client.get("/").status_code == 200
    api = client_as("agent")
    assert api.get("/v1/followups").status_code == 200  # the token is now cached too
    admin = client_as("admin")
    r = admin.delete(f"/v1/users/{agent.info.name}")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert api.get("/v1/followups").status_code == 401
    page = client.get("/", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    listed = {u["name"]: u["revoked_at"] for u in admin.get("/v1/users").json()}
    assert listed[agent.info.name] is not None and listed["admin-user"] is None


def test_a_new_token_ends_the_old_one_and_its_sessions(
    client: TestClient, client_as: Any, web_users: dict[str, Any], web_app: Any
) -> None:
    manager = web_users["manager"]
    _login(client, manager.token)
    assert client.get("/dashboard").status_code == 200
    r = client_as("admin").post(f"/v1/users/{manager.info.name}/token")
    assert r.status_code == 200
    new_token = r.json()["token"]
    assert new_token != manager.token and r.json()["user"]["name"] == manager.info.name
    assert client_as("manager").get("/v1/users").status_code == 401  # the old token
    assert client.get("/dashboard", headers=HTML, follow_redirects=False).status_code == 303
    with TestClient(web_app, headers={"Authorization": f"Bearer {new_token}"}) as fresh:
        assert fresh.get("/v1/users").status_code == 200
    _login(client, new_token)
    assert client.get("/dashboard").status_code == 200


def test_only_admins_revoke_and_unknown_users_are_404(client_as: Any, web_users: dict[str, Any]) -> None:
    manager = client_as("manager")
    assert manager.delete("/v1/users/agent-user").status_code == 403
    assert manager.post("/v1/users/agent-user/token").status_code == 403
    admin = client_as("admin")
    r = admin.delete("/v1/users/nobody")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert admin.post("/v1/users/nobody/token").status_code == 404
    assert client_as("agent").get("/v1/followups").status_code == 200  # nobody else was touched


def test_a_lookup_that_began_before_a_revocation_is_not_cached() -> None:
    """The race: a request reads the still-valid user, the revocation commits and clears the cache,
    then the request would put the old user back for token_cache_s."""
    from datetime import datetime, timezone

    from tactful.store.records import UserInfo
    from tactful.web.auth import TokenCache

    cache = TokenCache(ttl_s=30)
    user = UserInfo(id=1, name="dee", role="agent", created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    before = cache.generation
    cache.clear()  # the revocation lands while the store was being asked
    cache.put("token", user, before)
    assert cache.get("token") is None
    cache.put("token", user, cache.generation)  # a lookup that began after it is cached as usual
    assert cache.get("token") == user


@pytest.mark.parametrize(
    "session",
    [
        {"user": {"id": 1, "name": "admin-user", "role": "admin", "created_at": "2026-01-01T00:00:00"}},
        {"user": {"id": "1", "key": "0" * 32}},
        {"user": {"id": 1, "key": None}},
        {"user": "admin"},
    ],
)
def test_an_old_style_or_malformed_session_signs_nobody_in(client: TestClient, session: dict) -> None:  # type: ignore[type-arg]
    """A validly signed cookie from before sessions were checked (it named a role) or one with
    the wrong shape is a signed-out visitor, never a 500 and never the user it names."""
    import base64
    import json

    from itsdangerous import TimestampSigner
    from tests.web.conftest import SECRET_KEY

    from tactful.web.app import SESSION_COOKIE

    data = base64.b64encode(json.dumps(session).encode())
    client.cookies.set(SESSION_COOKIE, TimestampSigner(SECRET_KEY).sign(data).decode())
    assert client.get("/v1/followups").status_code == 401
    page = client.get("/", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_current_session_cookie_signed_the_same_way_is_accepted(
    client: TestClient, web_users: dict[str, Any], web_store: Any
) -> None:
    """The control for the test above: the same signing with today's shape signs the user in; the
    shape before issue 14 (no recorded session id) no longer does."""
    import base64
    import json

    from itsdangerous import TimestampSigner
    from tests.web.conftest import SECRET_KEY

    from tactful.store import Store
    from tactful.web.app import SESSION_COOKIE

    admin = web_users["admin"]
    before = {"id": admin.info.id, "key": Store.session_key(admin.token)}
    today = {**before, "sid": web_store.open_session(admin.info.id, 3600)}
    for user, status in ((today, 200), (before, 401)):
        data = base64.b64encode(json.dumps({"user": user}).encode())
        client.cookies.set(SESSION_COOKIE, TimestampSigner(SECRET_KEY).sign(data).decode())
        assert client.get("/v1/followups").status_code == status
