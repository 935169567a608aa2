"""LLM polish over the OpenAI chat-completions wire format, against a scripted local server.

The server here is a stand-in for a model (a real one runs in ``test_llm_e2e.py``): it lets
each test choose exactly what the "model" answers, hostile answers included.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tactful.composer import compose, rewrite
from tactful.config import Config, Llm
from tactful.kb import STORE_EXAMPLE, load_kb

MESSAGE = "Hi, I want a refund for order #A1234, the blue jacket I bought on 2026-01-05. It does not fit."
LATE = {"purchase_date": "2026-01-05", "today": "2026-03-01"}


class Scripted:
    """What the fake endpoint answers next, and what it was asked."""

    def __init__(self) -> None:
        self.reply: Any = "unset"
        self.status = 200
        self.requests: list[dict[str, Any]] = []


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Scripted]]:
    script = Scripted()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            if isinstance(script.reply, bytes):
                payload = script.reply
            else:
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": script.reply}}]}
                ).encode()
            self.send_response(script.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", script
    server.shutdown()


def _config(url: str, **llm: Any) -> Config:
    return Config(llm=Llm(endpoint=url, model="test-model", timeout_s=5, **llm))


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def test_a_faithful_polish_is_used(endpoint: tuple[str, Scripted], kb: Any) -> None:
    url, script = endpoint
    [plain] = compose(MESSAGE, LATE, kb)
    script.reply = "```\n" + plain.text.replace("Thanks for asking for", "I see that you'd like") + "\n```"
    [draft] = compose(MESSAGE, LATE, kb, config=_config(url), polish=True)
    assert draft.polish is not None and draft.polish["accepted"] is True, draft.polish
    assert "I see that you'd like" in draft.text and "```" not in draft.text
    assert draft.analysis["is_refusal"] is True
    sent = script.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["model"] == "test-model" and sent["body"]["temperature"] == 0
    assert plain.text in sent["body"]["messages"][1]["content"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Good news! I've approved your refund for order A1234.", "no longer says no"),
        ("We can't refund it, but I'll make an exception just this once.", "promises"),
        ("We can't refund it. Here's 40% off your next order instead.", "'40'"),
        ("We can't refund it, but we can send you a free replacement jacket instead.", "outside the policy"),
        ("", "empty"),
    ],
)
def test_a_hostile_polish_is_rejected_and_the_draft_kept(
    endpoint: tuple[str, Scripted], kb: Any, answer: str, reason: str
) -> None:
    url, script = endpoint
    script.reply = answer
    [plain] = compose(MESSAGE, LATE, kb)
    [draft] = compose(MESSAGE, LATE, kb, config=_config(url), polish=True)
    assert draft.text == plain.text
    assert draft.polish is not None and draft.polish["accepted"] is False
    assert any(reason in r for r in draft.polish["reasons"]), draft.polish["reasons"]
    assert draft.polish["candidate"] == answer


def test_a_polish_that_scores_much_worse_is_rejected(endpoint: tuple[str, Scripted], kb: Any) -> None:
    url, script = endpoint
    script.reply = "We can't refund this, the window has closed."
    [draft] = compose(MESSAGE, LATE, kb, config=_config(url), polish=True)
    assert draft.polish is not None and draft.polish["accepted"] is False
    assert any("scores" in r for r in draft.polish["reasons"]), draft.polish["reasons"]


@pytest.mark.parametrize(("status", "body"), [(500, b"oops"), (200, b"not json"), (200, b'{"choices": []}')])
def test_a_broken_endpoint_costs_a_note_not_a_reply(
    endpoint: tuple[str, Scripted], kb: Any, status: int, body: bytes
) -> None:
    url, script = endpoint
    script.status, script.reply = status, body
    [draft] = compose(MESSAGE, LATE, kb, config=_config(url), polish=True)
    assert draft.polish is not None and draft.polish["accepted"] is False
    assert "could not be used" in draft.polish["reasons"][0]
    assert draft.text == compose(MESSAGE, LATE, kb)[0].text


def test_an_unreachable_endpoint(kb: Any) -> None:
    [draft] = compose(MESSAGE, LATE, kb, config=_config("http://127.0.0.1:9/v1"), polish=True)
    assert draft.polish is not None and "could not be used" in draft.polish["reasons"][0]


def test_the_api_key_comes_from_the_named_variable(
    endpoint: tuple[str, Scripted], kb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, script = endpoint
    config = _config(url, api_key_env="TACTFUL_TEST_LLM_KEY")
    monkeypatch.delenv("TACTFUL_TEST_LLM_KEY", raising=False)
    [draft] = compose(MESSAGE, LATE, kb, config=config, polish=True)
    assert draft.polish is not None and "TACTFUL_TEST_LLM_KEY" in draft.polish["reasons"][0]
    monkeypatch.setenv("TACTFUL_TEST_LLM_KEY", "s3cret")
    script.reply = ""
    compose(MESSAGE, LATE, kb, config=config, polish=True)
    assert script.requests[-1]["auth"] == "Bearer s3cret"


def test_without_an_endpoint_polish_says_so(kb: Any) -> None:
    [draft] = compose(MESSAGE, LATE, kb, polish=True)
    assert draft.polish is not None and "no LLM configured" in draft.polish["reasons"][0]


def test_rewrite_polish_is_guarded_too(endpoint: tuple[str, Scripted], kb: Any) -> None:
    url, script = endpoint
    script.reply = "Sure, I have refunded order A1234 in full."
    r = rewrite("We can't refund this.", MESSAGE, LATE, kb, config=_config(url), polish=True)
    assert r.polish is not None and r.polish["accepted"] is False
    assert r.analysis["is_refusal"] is True
