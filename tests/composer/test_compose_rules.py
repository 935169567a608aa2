"""Issue 12's rules for drafts and rewrites, on cases paraphrased from the real ones it reports (the
handles, names and links here are made up): no KB unless configured, nothing stock, the customer's
own words said back with their negation, the @handle first and the sign-off last within 280
characters, nothing deleted that says no or why, no promise or hint nobody decided."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful import analyze
from tactful.composer import compose, rewrite
from tactful.composer.frame import TWEET_LIMIT, Frame, tweet_length
from tactful.composer.stock import added_stock, stock_data, stock_phrases
from tactful.composer.topic import rules as topic_rules
from tactful.composer.topic import topic_of
from tactful.config import Config, Style
from tactful.kb import STORE_EXAMPLE, load_kb


@pytest.fixture(scope="module")
def kb() -> Any:
    return load_kb(STORE_EXAMPLE)


# ── the data's own examples ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("example", topic_rules().examples, ids=lambda e: e["message"][:40])
def test_topics_yml_examples(example: dict[str, Any]) -> None:
    topic = topic_of(example["message"])
    assert (topic.thanks if topic else None) == example["thanks"]


def test_stock_yml_examples() -> None:
    for text in stock_data()["examples"]["match"]:
        assert stock_phrases(text), text
    for text in stock_data()["examples"]["no_match"]:
        assert not stock_phrases(text), text


def test_no_template_is_a_stock_line_or_an_unnamed_hint() -> None:
    from tactful.composer import load_templates

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for v in node.values() for s in walk(v)]
        if isinstance(node, list):
            return [s for v in node for s in walk(v)]
        return [str(node)]

    texts = walk(load_templates())
    assert not [t for t in texts if stock_phrases(t)]
    assert not [t for t in texts if re.search(r"other (?:options|ways)|still help", t, re.I)]


# ── policies only where they apply ───────────────────────────────────────────────────────────

TRAVEL = "Can you extend my travel credit? My trip was cancelled and the credit runs out next week."


def test_without_a_kb_a_draft_decides_nothing_and_says_so() -> None:
    [draft] = compose(TRAVEL, {"today": "2026-11-23"})
    assert draft.decision["policy"] is None and draft.notes
    assert "KB" in draft.notes[0]
    for invented in ("30 days", "manager", "business day", "makers", "delivery date", "store credit"):
        assert invented not in draft.text.lower(), invented
    assert stock_phrases(draft.text) == []


def test_with_a_kb_only_a_matching_policy_speaks(kb: Any) -> None:
    question = "Is the video call app free for teachers? Are you going to lift the time limit?"
    for channel in ("email", "chat", "social"):
        [draft] = compose(question, {"today": "2026-11-23"}, kb, channel=channel)
        assert "makers" not in draft.text and "30 days" not in draft.text
    r = rewrite("We can't lift the limit. ^AB", question, {"today": "2026-11-23"}, kb, channel="social")
    assert not any(c.source.startswith("kb:") for c in r.changes)


def test_a_no_policy_rewrite_adds_nothing_only_a_policy_could_say() -> None:
    r = rewrite(
        "@kim_r Sorry, but we can't refund a non-refundable ticket. ^SW", "can I get a refund for my ticket?"
    )
    assert r.decision is None
    assert not any(c.kind in ("added_reason", "added_alternative", "added_next_step") for c in r.changes)
    assert "30 days" not in r.text and "manager" not in r.text


# ── edits the agent would accept ────────────────────────────────────────────────────────────


def test_a_negated_detail_never_comes_back_as_a_fact() -> None:
    message = (
        "OK it was not a full train, the coach change had nothing to do with comfort, so no excuses please! "
        "I'll retweet your reply"
    )
    r = rewrite("@amy_w Unfortunately, we are not able to guarantee seats. *HC", message)
    assert "full train" not in r.text
    assert r.analysis["is_refusal"] and r.text.startswith("@amy_w ") and r.text.endswith(" *HC")


def test_blame_becomes_the_rule_and_the_agents_thanks_stay() -> None:
    draft = "We can't refund this order. You should have read the terms before purchasing. Thanks, Sam"
    r = rewrite(draft, "I want a refund for my headphones, they are too quiet.")
    assert "should have read" not in r.text and "This is covered by our terms." in r.text
    assert "We can't refund this order." in r.text and r.text.endswith("Thanks, Sam")
    assert r.score >= r.before["score"]


def test_a_no_said_only_in_a_blame_sentence_is_kept() -> None:
    draft = "Obviously you should have checked the size, so we can't refund it."
    r = rewrite(draft, "Can I return the boots? They are too small.")
    assert r.analysis["is_refusal"] and "so we can't refund it." in r.text
    assert "Obviously" not in r.text and any("Blame left" in n for n in r.notes)
    assert r.text.startswith(
        "Thanks for asking whether you can return the boots. You should"
    )  # their question


def test_no_closing_where_the_agent_says_this_channel_cannot_help() -> None:
    draft = (
        "@lee_t Hi there! For travel questions, please visit https://bank.example.com/travel "
        "for information. "
        "We cannot assist with travel inquiries over social media. Thank you! ^AF"
    )
    r = rewrite(draft, "I can't cancel my trip on your refund page, it keeps asking for a booking time!")
    assert added_stock(draft, r.text) == []
    assert "reply here" not in r.text.lower() and "happy to help" not in r.text.lower()
    assert r.text.endswith("Thank you! ^AF")


def test_links_keep_their_case_when_the_sentence_before_goes() -> None:
    link = "https://help.example.com/Content-Missing"
    draft = f"@jo_p We can't add the album right now. Fingers crossed! {link} ^TF"
    r = rewrite(draft, "where is the new album by the Night Owls?")
    assert link in r.text and "Https" not in r.text
    assert "Fingers crossed" not in r.text and r.analysis["is_refusal"]


def test_what_they_asked_is_named_once_after_the_handle_and_greeting() -> None:
    draft = (
        "@cam_9 Hey there! Sorry, that is not possible. "
        "Please see this article: https://help.example.com/transfers *SR"
    )
    r = rewrite(draft, "@GameHelp can you not transfer an xbox account over to ps4")
    assert r.text.startswith(
        "@cam_9 Hey there! Thanks for asking whether you can transfer an Xbox account over to PS4. Sorry,"
    )
    assert r.text.endswith(" *SR") and r.score > r.before["score"]
    again = rewrite(r.text, "@GameHelp can you not transfer an xbox account over to ps4")
    assert again.text == r.text  # nothing is said twice


def test_a_thread_part_or_a_fragment_gets_nothing_before_it() -> None:
    draft = (
        "@dee_k caused. We're unable to offer a free upgrade, however we can quote one if you like? ^Jo 2/2"
    )
    r = rewrite(draft, "Any availability in first class on the evening flight for the trouble please?")
    assert r.text == draft


def test_over_280_the_acknowledgement_is_shortened_or_left_out() -> None:
    filler = (
        "Our team checks every request like this one carefully and we keep a list of what people ask for. "
    )
    draft = "@ola_s " + filler * 2 + "Sadly that isn't possible right now. ^KM"
    assert tweet_length(draft) <= TWEET_LIMIT
    r = rewrite(draft, "are you going to release the winter collection of scarves in navy blue for kids?")
    assert tweet_length(r.text) <= TWEET_LIMIT
    assert r.text.startswith("@ola_s ") and r.text.endswith(" ^KM")


def test_a_thread_when_the_agent_asks_for_one(kb: Any) -> None:
    facts = {"purchase_date": "2026-08-01", "today": "2026-11-23"}
    draft = "@vic_n We can't refund that order. ^VN"
    r = rewrite(
        draft,
        "I want a refund for my jacket",
        facts,
        kb,
        channel="social",
        thread=True,
        request_type="refund",
    )
    assert r.thread and len(r.thread) >= 2
    for i, tweet in enumerate(r.thread, 1):
        assert tweet.startswith("@vic_n ") and tweet.endswith(f"{i}/{len(r.thread)}")
        assert tweet_length(tweet) <= TWEET_LIMIT
    assert "^VN" in r.thread[-1]


def test_an_email_draft_greets_by_name_and_signs_with_the_agents(kb: Any) -> None:
    message = "Hi, I'd like a refund for order #A1234, the blue jacket. It doesn't fit.\nThanks,\nAnna"
    config = Config(style=Style(agent_name="Sam Lee"))
    [email] = compose(message, {"purchase_date": "2026-08-01", "today": "2026-11-23"}, kb, config=config)
    assert email.text.startswith("Hi Anna,") and email.text.endswith("Best regards,\nSam Lee")
    [tweet] = compose(
        message,
        {"purchase_date": "2026-08-01", "today": "2026-11-23", "customer_handle": "anna_b"},
        kb,
        channel="social",
        config=config,
    )
    assert tweet.text.startswith("@anna_b ") and tweet.text.endswith(" ^SL")
    assert tweet_length(tweet.text) <= TWEET_LIMIT and "A1234" not in tweet.text


def test_no_follow_up_promise_nobody_decided(kb: Any) -> None:
    facts = {"purchase_date": "2026-11-20", "today": "2026-11-23", "amount": 300}  # over $200: approval
    [draft] = compose("I want a refund for my order #A1234, the coat.", facts, kb)
    assert draft.decision["outcome"] == "needs_approval"
    assert "business day" not in draft.text and "manager" in draft.text


# ── properties: whatever the draft, the rules hold ─────────────────────────────────────────

OPENINGS = ["@pat_q ", "@pat_q Hi there, ", "@pat_q Hey there! ", "Hi Pat,\n\n", ""]
BODIES = [
    "We CANNOT do that!!",
    "Unfortunately, that isn't possible.",
    "As I already said, we don't offer refunds on sale items.",
    "You should have read the terms.",
    "Sorry! So sorry again.",
    "That's against our policy.",
    "Thanks for reaching out.",
    "We'll see what we can do.",
    "Please see https://help.example.com/Refund-Policy for more.",
    "I can offer store credit instead.",
]
ENDINGS = [" ^PQ", " -Jo", "\n\nBest regards,\nJo", "", " 1/2"]
MESSAGES = [
    "can I get a refund for the blue scarf I bought last week?",
    "are you going to add dark mode to the app?",
    "My order 5521 never arrived!!! Refund me or I'll post a review",
    "why don't you have the lemon cake anymore",
    "OK it was not a full flight, so no excuses",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(OPENINGS),
    st.lists(st.sampled_from(BODIES), min_size=1, max_size=4),
    st.sampled_from(ENDINGS),
    st.sampled_from(MESSAGES),
    st.booleans(),
)
def test_property_rewrites_follow_the_rules(
    kb: Any, opening: str, bodies: list[str], ending: str, message: str, with_kb: bool
) -> None:
    draft = opening + " ".join(bodies) + ending
    r = rewrite(draft, message, {"today": "2026-11-23"}, kb if with_kb else None)
    assert r.score >= r.before["score"]
    if r.before["is_refusal"]:
        assert r.analysis["is_refusal"]
    assert added_stock(draft, r.text) == []
    for url in re.findall(r"https?://\S+", draft):
        assert url in r.text
    if draft.startswith("@"):
        assert r.text.startswith(draft.split()[0] + " ")
        assert tweet_length(r.text) <= max(TWEET_LIMIT, tweet_length(draft))
    tail = draft[Frame.of(draft).body_end :].strip()
    if tail:
        assert r.text.rstrip().endswith(tail)
    sentences = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", r.text) if len(s.split()) > 3]
    added = [s for s in sentences if s not in draft.lower()]
    assert len(added) == len(set(added))  # nothing the rewrite added is said twice
    assert analyze(r.text, message).score == r.score


def _seconds(fn: Any) -> float:
    import time

    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_cost_is_linear_in_the_draft_and_the_message(kb: Any) -> None:
    draft = (
        "Hi, we CANNOT refund this!! As I already said, sorry. So sorry again. https://help.example.com/x "
    )
    message = "can you refund my blue kettle from order 5521? it arrived broken. "
    facts = {"purchase_date": "2026-08-01", "today": "2026-11-23"}

    def run(n: int) -> float:
        return min(_seconds(lambda: rewrite(draft * n, message * n, facts, kb)) for _ in range(2))

    run(2)
    assert run(40) < 40 * max(run(4), 1e-3)  # 10x the text: ~10x the time, never ~100x
    small = min(_seconds(lambda: compose(message * 4, facts, kb)) for _ in range(2))
    assert min(_seconds(lambda: compose(message * 40, facts, kb)) for _ in range(2)) < 40 * max(small, 1e-3)


def test_seams_between_neighbouring_edits_keep_their_punctuation() -> None:
    no = "Unfortunately we CANNOT refund this, as I already said it's against our policy."
    draft = f"{no} Sorry! So sorry again."
    r = rewrite(draft, "My blender broke after six weeks, I want a refund.")
    assert "refund this, our policy doesn't cover this. Sorry!" in r.text
    assert r.text.endswith("Sorry!")  # the extra apology went, with the space before it
