"""The customer's details a reply mirrors: the examples in analyzer/mirroring.yml, and linear cost."""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

import pytest

from tactful import analyze
from tactful.analyzer.mirroring import mirror
from tactful.text import fold, mask_urls
from tactful.yamldata import load_yaml

EXAMPLES: list[dict[str, Any]] = load_yaml(
    (resources.files("tactful.analyzer") / "mirroring.yml").read_text(encoding="utf-8")
)["examples"]


def _mirrored(reply: str, customer: str) -> list[str]:
    found = mirror(mask_urls(fold(reply)), customer, mask_urls(fold(customer)))
    return sorted({reply[a:b].lower() for a, b in found.mirrored})


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["customer"][:30])
def test_lexicon_examples(example: dict[str, Any]) -> None:
    assert _mirrored(example["reply"], example["customer"]) == sorted(example["mirrored"])


def test_a_long_verbatim_copy_is_an_echo_not_mirroring() -> None:
    customer = "the blue jacket I ordered last month arrived with a torn sleeve and a missing button"
    found = mirror(fold(customer), customer, fold(customer))
    assert found.mirrored == [] and found.echoed == [(0, len(customer))]


def test_the_company_name_is_no_detail() -> None:
    assert _mirrored("Thanks for writing to Shopwell support!", "@ShopwellCares my order never came") == []


def test_cost_is_linear_in_the_texts() -> None:
    customer = "my order 5521 of the blue kettle arrived broken " * 200
    reply = "sorry your blue kettle from order 5521 arrived broken, we can replace it " * 200

    def run(n: int) -> float:
        start = time.perf_counter()
        mirror(fold(reply * n), customer * n, fold(customer * n))
        return time.perf_counter() - start

    run(1)
    assert run(10) < 40 * max(run(1), 1e-3)  # 10x the text: ~10x the time, never ~100x


def test_naming_the_thing_they_raised_keeps_the_no_acknowledgement_finding_quiet() -> None:
    """'seats' is no detail of theirs (it earns no empathy), but a no about their seats has not ignored
    them; a refusal's own words ("refund this order") acknowledge nothing."""
    customer = "Can my son and I get seats together on Friday? I want a refund otherwise."
    rules = {f.rule for f in analyze("We can't guarantee seats, I'm afraid.", customer).findings}
    assert "tactful.empathy.no_acknowledgement" not in rules
    for reply in ("We can't do that.", "We can't refund this order."):
        rules = {f.rule for f in analyze(reply, customer).findings}
        assert "tactful.empathy.no_acknowledgement" in rules, reply
