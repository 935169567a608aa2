"""The refusal detector: sentences written for these tests, a hostile input, and the shared dev data."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tactful.analyzer.refusal import _detector, find_refusals, is_refusal
from tactful.yamldata import load_yaml

REFUSALS = [
    # refund past the window
    "I'm sorry, but your purchase is outside our 30-day refund window, so we can't refund it.",
    "Since the order was placed over 60 days ago, it is no longer eligible for a refund.",
    "Unfortunately, tickets are non-refundable once the event has started.",
    # feature not planned / not supported
    "Exporting to PDF isn't something we support, and it's not on our roadmap right now.",
    "We have no plans to bring back the classic layout.",
    "Offline mode is not available on the Starter plan.",
    # discount denied
    "We're unable to apply the student discount to an order that has already shipped.",
    "That promo code can't be combined with other offers.",
    "I'm afraid we don't price-match other retailers.",
    "Your request for a loyalty credit has been declined.",
    # booking / action failed
    "Sorry, I couldn't book the 7 pm slot. Would 8 pm work instead?",
    "The payment didn't go through, so the reservation was not made.",
    "Your transfer was unsuccessful. Shall I try a smaller amount?",
    "Something went wrong and I was unable to schedule the visit.",
    "I tried, but the tickets could not be purchased.",
    "There are no seats available on that flight.",
    # plain declines and policy
    "We have to decline your request to change the delivery address after dispatch.",
    "That's against our policy, so I can't do it.",
    "Sorry, that is not possible.",
    "We cannot issue a replacement without the original receipt.",
    "Our hands are tied on this one.",
    "Sorry, no. Is there anything else I can look up for you?",
]

NOT_REFUSALS = [
    # confirmations
    "Your table for two is booked for 7 pm tonight.",
    "I've processed the refund; it should reach your card in 3-5 business days.",
    "Done! The transfer went through and the receipt is in your inbox.",
    "Your visit is scheduled. Unfortunately the flat is not furnished.",
    "The room has been booked. They don't allow pets, sorry.",
    # idioms with negative words
    "We can't wait to see you at the grand opening!",
    "No problem at all, happy to help.",
    "Please don't hesitate to reach out if anything else comes up.",
    "I can't thank you enough for your patience.",
    "We couldn't be happier that it worked out.",
    "No worries, the new card is on its way.",
    "Just because you switched plans doesn't mean we can't help you.",
    # questions and conditions
    "Can't you see the confirmation email in your inbox?",
    "Why isn't the discount showing at checkout?",
    "Is it not possible to log in from the app?",
    "If the payment doesn't go through, just reply here and we'll sort it out.",
    "Let us know if you're unable to access the portal.",
    "Sorry to hear you're unable to log in. Could you DM us your email?",
    # pending, not refused
    "Your refund hasn't been processed yet, but it is on the list for today.",
    # neutral
    "Would you like me to book a table for two at 6 pm?",
    "Thanks for reaching out! Could you send us your order number?",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_are_found(text: str) -> None:
    spans = find_refusals(text)
    assert spans, text
    assert is_refusal(text)
    for start, end in spans:
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize("text", NOT_REFUSALS)
def test_non_refusals_are_not_flagged(text: str) -> None:
    assert find_refusals(text) == [], [text[a:b] for a, b in find_refusals(text)]


def test_span_points_at_the_refusal() -> None:
    text = "Thanks for asking! Unfortunately we can't extend the trial beyond 30 days."
    spans = find_refusals(text)
    assert any("can't" in text[a:b] for a, b in spans)


def test_curly_apostrophes_and_case() -> None:
    assert find_refusals("WE CAN’T REFUND THIS ORDER.")
    assert find_refusals("The booking didn’t go through.")


def test_text_whose_lowercase_changes_length_keeps_offsets() -> None:
    text = "İstanbul office: we can't refund this order."
    spans = find_refusals(text)
    assert spans and "can't" in text[spans[0][0] : spans[0][1]]


def _yaml() -> dict:
    path = Path(__file__).resolve().parents[2] / "src/tactful/analyzer/signals/refusal.yml"
    return load_yaml(path.read_text(encoding="utf-8"))


def test_yaml_examples_hold_for_detector_and_plain_signal() -> None:
    data = _yaml()
    plain = re.compile("|".join(f"(?:{p})" for p in data["patterns"]), re.IGNORECASE)
    excepts = re.compile("|".join(f"(?:{p})" for p in data["except"]), re.IGNORECASE)

    def plain_find(text: str) -> list[tuple[int, int]]:  # the shared loader's semantics
        blocked = [m.span() for m in excepts.finditer(text)]
        spans = [m.span() for m in plain.finditer(text)]
        return [s for s in spans if not any(b[0] <= s[1] and s[0] <= b[1] for b in blocked)]

    for text in data["examples"]["match"]:
        assert find_refusals(text), text
        assert plain_find(text), text
    for text in data["examples"]["no_match"]:
        assert find_refusals(text) == [], text
        assert plain_find(text) == [], text


def test_patterns_are_lower_case_so_the_fast_path_is_exact() -> None:
    data = _yaml()
    for key in ("patterns", "except", "success"):
        for p in data[key]:
            assert not re.search(r"(?<!\\)[A-Z]", p), p


def test_every_match_holds_a_cue() -> None:
    """The fast path skips text without a cue; each example match and test refusal must contain one."""
    det = _detector()
    for text in REFUSALS + _yaml()["examples"]["match"]:
        for a, b in find_refusals(text):
            window = text[a:b].lower() + " "
            assert any(c in window for c in det.cues), text[a:b]


@pytest.mark.slow
@pytest.mark.parametrize(
    "hostile",
    [
        "we " * 350_000,
        "i'm really really " * 60_000,
        "can't " * 170_000,
        "sorry, no " * 100_000,
        "not " * 250_000 + "!",
        "a" * 1_000_000,
        ("we are not able to " + "x" * 80 + ". ") * 10_000,
    ],
    ids=["we", "adverbs", "cant", "sorry-no", "not", "one-word", "sentences"],
)
def test_one_megabyte_of_hostile_input_is_fast(hostile: str) -> None:
    start = time.perf_counter()
    find_refusals(hostile)
    assert time.perf_counter() - start < 15.0  # linear; at most ~4 s measured on a slow, shared 2-core VM


def _shared_data() -> Path:
    env = os.environ.get("TACTFUL_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_evaluation_reports_missing_folder(tmp_path: Path) -> None:
    from tactful.evaluation.refusal import evaluate

    with pytest.raises(FileNotFoundError, match="sgd-outcomes"):
        evaluate(tmp_path)
    with pytest.raises(FileNotFoundError, match="shared data folder"):
        evaluate(tmp_path / "absent")


def test_precision_and_recall_on_shared_dev_data() -> None:
    data = _shared_data()
    if not (data / "sgd-outcomes" / "system_turns.dev.csv").is_file():
        pytest.skip(f"shared data folder is missing: {data} (set TACTFUL_SHARED_DATA to run this check)")
    from tactful.evaluation.refusal import evaluate, format_report

    result = evaluate(data)
    sgd = result["sgd"]
    assert sgd["precision"] >= 0.95, format_report(result)
    assert sgd["recall"] >= 0.95, format_report(result)
    assert sgd["success_fp_rate"] <= 0.01
    assert "precision" in format_report(result)


def test_refusals_in_the_labelled_real_replies() -> None:
    """A guard against drift on the reviewer-labelled real replies (in-sample: the phrases were written
    while reading them; docs/evaluation.md quotes the figures on companies held out instead)."""
    labels = _shared_data() / "real-replies-labelled" / "labels.jsonl"
    if not labels.is_file():
        pytest.skip(f"shared data folder is missing: {labels.parent} (set TACTFUL_SHARED_DATA to run it)")
    import json

    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [(r["is_refusal"], bool(find_refusals(r["reply"]))) for r in rows]
    tp = sum(g and p for g, p in found)
    assert tp / sum(p for _, p in found) >= 0.9  # precision
    assert tp / sum(g for g, _ in found) >= 0.75  # recall


@pytest.mark.parametrize("text", ["No.", "No", "Nope!", "  no  "])
def test_a_bare_no_is_a_refusal(text: str) -> None:
    assert find_refusals(text)


@pytest.mark.parametrize(
    "text", ["No. That album came out in 2014.", "Nope. Smoking is prohibited in the property."]
)
def test_no_answering_a_question_is_not_a_refusal(text: str) -> None:
    assert not find_refusals(text)


@pytest.mark.parametrize(
    "text", ["No problem, it's done!", "Not at all, happy to help.", "Nothing else needed."]
)
def test_no_as_part_of_a_phrase_is_not_a_bare_no(text: str) -> None:
    assert not find_refusals(text)


def test_the_qa_prefilter_never_drops_a_refusal_the_analysis_finds() -> None:
    """``tactful qa`` skips a turn when ``is_refusal`` says no; on every real reply in the shared data it
    must agree with the full analysis (same detector, same folded and masked text)."""
    import csv
    import json

    from tactful import analyze

    data = _shared_data()
    labels = data / "real-replies-labelled" / "labels.jsonl"
    if not labels.is_file():
        pytest.skip(f"shared data folder is missing: {data} (set TACTFUL_SHARED_DATA to run it)")
    texts = [json.loads(line)["reply"] for line in labels.read_text(encoding="utf-8").splitlines() if line]
    with open(data / "real-replies" / "twcs_first_1000_rows.csv", encoding="utf-8", newline="") as f:
        texts += [row["text"] for row in csv.DictReader(f)]
    disagree = [t for t in texts if is_refusal(t) != analyze(t).is_refusal]
    assert not disagree, disagree[:3]
    assert sum(map(is_refusal, texts)) > 100  # the check is not vacuous
