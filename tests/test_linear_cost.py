"""Every entry point costs time linear in its input: ten times the text may take ten times as long,
never a hundred. A quadratic step (a pass over every sentence per finding, a regex retried from each
character of a long run, a string spliced once per edit) shows up as a ratio far above 10.

Each case times one entry point at ``SMALL`` and at ten times that many characters (the best of a
few runs each, so a busy machine does not fail it) and allows ``BOUND`` times as long: linear code
stays near 10 (less: fixed costs weigh more on the small run), the quadratic steps this guards
against gave 40 to 120 here. The shapes are what a reply can be made of: a real reply repeated,
paragraphs, and hostile runs (blanks, exclamation marks, apologies, distinct links, unclosed tags).
``bench/bench_scaling.py`` prints the same ratios at larger sizes.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tactful
from tactful.cli.rewrite import word_diff
from tactful.kb import STORE_EXAMPLE, load_kb
from tactful.store import Store, open_store

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
REPLY = (EXAMPLES / "reply.txt").read_text(encoding="utf-8")
MESSAGE = (EXAMPLES / "customer.txt").read_text(encoding="utf-8")
FACTS = {"purchase_date": "2026-09-01", "today": "2026-11-23", "amount": 80}
SMALL = 6_000
BOUND = 30.0


def _repeat(unit: str, n: int, sep: str = " ") -> str:
    return (sep.join([unit] * (n // (len(unit) + len(sep)) + 1)))[:n]


SHAPES: dict[str, Callable[[int], str]] = {
    "reply": lambda n: _repeat(REPLY, n),
    "paragraphs": lambda n: _repeat(REPLY, n, "\n\n"),
    "blanks": lambda n: "We can't refund this" + " " * n + "sorry.",
    "marks": lambda n: "We CANNOT refund this" + "!" * n,
    "apologies": lambda n: _repeat("Sorry!", n),
    "links": lambda n: "".join(f"see http://a{i}.example.com/x " for i in range(n // 30)),
    "tags": lambda n: "<" * n,  # unclosed: what HTML bodies are read through
}


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with open_store(f"sqlite:///{tmp_path_factory.mktemp('linear') / 's.db'}") as s:
        yield s


def _log_reply(store: Store) -> Callable[[str], object]:
    count = iter(range(10**9))  # a new customer each time: no history grows between the runs

    def log(text: str) -> object:
        return store.log_reply(f"c-{next(count)}", text, customer_message=MESSAGE)

    return log


def _qa_turn(text: str) -> object:
    """What ``tactful qa`` does per agent turn: an HTML body read as text, then the chunk analysis."""
    from tactful.config import Config
    from tactful.qa.formats._common import html_to_text
    from tactful.qa.pipeline import WorkItem, analyze_chunk

    item = WorkItem("c1", "t1", "sam", "email", html_to_text(text), MESSAGE, None, None)
    return analyze_chunk([item], Config())


def _entries(kb: Any, store: Store) -> dict[str, Callable[[str], object]]:
    return {
        "analyze": lambda t: tactful.analyze(t, MESSAGE),
        "analyze the customer's message": lambda t: tactful.analyze(REPLY, t),
        "understand": tactful.understand,
        "compose": lambda t: tactful.compose(t, FACTS, kb),
        "rewrite": lambda t: tactful.rewrite(t, MESSAGE, facts=FACTS, kb=kb).to_dict(),  # with its diff
        "tactful rewrite's word diff": lambda t: word_diff(t, t.replace("Sorry", "Thank you"), color=True),
        "rewrite with the customer's message": lambda t: tactful.rewrite(REPLY, t, facts=FACTS, kb=kb),
        "log_reply": _log_reply(store),
        "qa per turn": _qa_turn,
    }


def _best(fn: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.disable()  # a collection of the whole heap would land on one run or the other
        start = time.perf_counter()
        with contextlib.suppress(ValueError):  # e.g. compose on a message it cannot read: still timed
            fn(text)
        best = min(best, time.perf_counter() - start)
        gc.enable()
    return best


ENTRIES = (
    "analyze",
    "analyze the customer's message",
    "understand",
    "compose",
    "rewrite",
    "rewrite with the customer's message",
    "tactful rewrite's word diff",
    "log_reply",
    "qa per turn",
)


@pytest.mark.parametrize("entry", ENTRIES)
def test_ten_times_the_text_costs_at_most_about_ten_times_the_time(entry: str, kb: Any, store: Any) -> None:
    fn = _entries(kb, store)[entry]
    fn(REPLY)  # warm: lexicons, templates, compiled patterns
    ratios = {}
    for shape, make in SHAPES.items():
        small, large = make(SMALL), make(10 * SMALL)
        t_small = max(_best(fn, small, 3), 1e-3)  # under a millisecond, the clock's noise would rule
        t_large = _best(fn, large, 2)
        ratios[shape] = t_large / t_small
    worst = max(ratios, key=lambda s: ratios[s])
    assert ratios[worst] <= BOUND, (
        f"{entry}: {10 * SMALL:,} characters of {worst!r} took {ratios[worst]:.0f}x the time of "
        f"{SMALL:,} (linear is about 10x); all ratios: "
        + ", ".join(f"{s} {r:.1f}x" for s, r in ratios.items())
    )


def test_a_json_record_longer_than_one_read_is_parsed_a_logarithmic_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """qa's JSON array reader re-parses an unfinished record after each read: reads that grow with
    the record keep that linear (a fixed read size made it quadratic in the record's length)."""
    import io
    import json

    from tactful.qa import jsonstream

    attempts = []

    class Counting(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            attempts.append(idx)
            return super().raw_decode(s, idx)

    monkeypatch.setattr(jsonstream, "_READ_CHARS", 1_000)
    monkeypatch.setattr(jsonstream.json, "JSONDecoder", Counting)
    record = {"id": "c1", "messages": [{"role": "agent", "text": "We can't. " * 20_000}]}  # 200 KB
    data = json.dumps([record, {"id": "c2", "messages": []}]).encode()
    found = list(jsonstream.iter_documents(io.BytesIO(data), "export.json"))
    assert [value["id"] for _, value in found] == ["c1", "c2"]
    assert len(attempts) <= 20, len(attempts)  # reads of 1,000 characters each: 200
