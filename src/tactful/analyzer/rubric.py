"""Scores on the eleven characteristics of a good refusal (DESIGN.md's rubric table).

Two shapes of score: *presence* characteristics (empathy, reason, alternatives,
gratitude, follow-up, positive language) start from what the reply does; *problem*
characteristics (clarity, tone, consistency, apology balance, timeliness) start
whole. Either way every finding then takes its level's weight off its characteristic,
so the findings an agent sees explain the scores they get.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tactful.analyzer.features import Features
from tactful.config import Config
from tactful.contract import CHARACTERISTICS, CharacteristicScore, Finding, Span

PENALTY = {"suggestion": 0.1, "warning": 0.25, "error": 0.45}
# Contradicting the policy or what the customer was told breaks trust more than any wording, and a
# reply judged against its history must not score above the same reply judged without it: the
# consistency findings weigh double (a warning leaves 0.5, below a typical reply's mean).
PENALTY_SCALE = {"consistency": 2.0}
WEIGHTS = {
    "empathy": 1.2,
    "clarity": 1.0,
    "professional_tone": 1.2,
    "reason": 1.0,
    "alternatives": 1.2,
    "gratitude": 0.6,
    "consistency": 1.0,
    "timeliness": 0.6,
    "apology_balance": 0.8,
    "positive_language": 0.8,
    "follow_up": 0.8,
}
# Characteristics that only mean something when the reply says no.
REFUSAL_ONLY = frozenset({"reason", "alternatives"})


def response_minutes(context: dict[str, Any]) -> float | None:
    """Minutes between the customer's message and the reply, from the context's timestamps."""
    if "response_minutes" in context:
        value = context["response_minutes"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError("context.response_minutes: must be a non-negative number")
        return float(value)
    if "received_at" not in context or "replied_at" not in context:
        return None
    stamps = []
    for key in ("received_at", "replied_at"):
        try:
            stamps.append(datetime.fromisoformat(str(context[key]).replace("Z", "+00:00")))
        except ValueError:
            raise ValueError(f"context.{key}: not an ISO 8601 timestamp: {context[key]!r}") from None
    try:
        return (stamps[1] - stamps[0]).total_seconds() / 60
    except TypeError:
        raise ValueError(
            "context.received_at/replied_at: mix of timestamps with and without a zone"
        ) from None


def sla_minutes(context: dict[str, Any], config: Config) -> float:
    channel = str(context.get("channel", "email"))
    if channel not in config.channels:
        known = ", ".join(sorted(config.channels))
        raise ValueError(f"context.channel: unknown channel {channel!r} (configured: {known})")
    return config.channels[channel].sla_minutes


Base = tuple[float, list[Span]]  # a characteristic's score before penalties, and its evidence


def _empathy(f: Features, politeness: float) -> Base:
    """Details of theirs the reply names, their feelings it meets, their ask it restates. Stock lines
    ("I understand.", "sorry to hear that") and words copied verbatim earn nothing or next to nothing."""
    ack = f.spans("acknowledgement")  # less any inside a stock line (Features.spans)
    feeling = f.spans("feeling")
    warmth = 0.25 if feeling else 0.1 if f.spans("sympathy") else 0.0
    if f.customer and f.customer_details:
        details = len({f.folded[s:e] for s, e in f.mirrored})
        value = 0.2 + (0.5 if details else 0.0) + (0.1 if details >= 2 else 0.0) + warmth
        value += 0.1 if ack else 0.0
    else:
        value = 0.3 + (0.3 if ack else 0.0) + warmth
    return min(1.0, value), sorted(set(ack + feeling + f.mirrored))


def _overlaps(span: Span, others: list[Span]) -> bool:
    return any(o[0] < span[1] and span[0] < o[1] for o in others)


def _gratitude(f: Features) -> Base:
    """Thanks for something of theirs counts in full; the stock "thanks for reaching out" only half."""
    thanks = f.spans("thanks")
    if not thanks:
        return 0.0, []
    stock = f.spans("generic_acknowledgement")
    specific = [s for s in thanks if not _overlaps(s, stock)]
    return (1.0 if specific else 0.5), thanks


# "2/3", "(1/2)": one tweet of a thread
_PART_OF = re.compile(r"\b\d/\d\b")


def _substance(f: Features) -> float:
    """Clarity needs something said: a reply of a few words, or a fragment of a longer answer ("...to
    shift. 2/3"), says too little to be clear."""
    stock = sum(len(f.text[a:b].split()) for a, b in f.spans("generic_acknowledgement"))
    words = f.words - stock  # "Thanks for reaching out" says nothing about this case
    value = 1.0 if words >= 8 else 0.3 + 0.1 * max(0, words - 1)
    text = f.text
    if "..." in text or "…" in text or "/" in text:
        # a fragment of a longer answer starts or ends with an ellipsis, or numbers itself as part of a thread
        core = text.strip().rstrip("0123456789/() ")
        if (
            core.startswith(("...", "…"), core.find(" ") + 1 if core.startswith("@") else 0)
            or core.endswith(("...", "…"))
            or _PART_OF.search(text)
        ):
            value -= 0.2
    return value


def _politeness_without_stock(f: Features, politeness: float) -> float:
    """Stock lines earn nothing: "Thank you for getting in touch with us about it" makes any text sound
    politer to the model, so tone is judged on the reply without them."""
    stock = f.spans("generic_acknowledgement")
    if not stock:
        return politeness
    from tactful.analyzer import politeness as model

    kept, at = [], 0
    for a, b in stock:
        kept.append(f.text[at:a])
        at = max(at, b)
    kept.append(f.text[at:])
    return min(politeness, model.score(" ".join(kept)))


def _positive_language(f: Features, politeness: float) -> Base:
    stock = f.spans("generic_acknowledgement")
    positive = [s for s in f.spans("positive") if not _overlaps(s, stock)]
    pos, neg = len(positive), len(f.spans("negative"))
    return (pos + 1) / (pos + neg + 2), positive


def _present(signal: str, yes: float, no: float) -> Callable[[Features, float], Base]:
    def base(f: Features, politeness: float) -> Base:
        spans = f.spans(signal)
        return (yes if spans else no), spans

    return base


# The base of each characteristic, computed only when it is judged (each may run a phrase scan).
BASES: dict[str, Callable[[Features, float], Base]] = {
    "empathy": _empathy,
    "clarity": lambda f, p: (_substance(f), f.refusals),
    "professional_tone": lambda f, p: (0.6 + 0.4 * _politeness_without_stock(f, p), []),
    "reason": _present("reason", 1.0, 0.25),
    "alternatives": lambda f, p: (1.0 if f.alternatives else 0.0, f.alternatives),
    "gratitude": lambda f, p: _gratitude(f),
    "consistency": lambda f, p: (1.0, []),
    "timeliness": lambda f, p: (1.0, []),
    "apology_balance": lambda f, p: (1.0, f.spans("apology")),
    "positive_language": _positive_language,
    "follow_up": _present("next_step", 1.0, 0.1),
}


def _timeliness(f: Features, config: Config) -> float | None:
    minutes = response_minutes(f.context)
    if minutes is None:
        return None
    sla = sla_minutes(f.context, config)
    return 1.0 if minutes <= sla else max(0.0, 1.0 - (minutes - sla) / (3 * sla))


def score_characteristics(
    f: Features, findings: list[Finding], politeness: float, is_refusal: bool, config: Config
) -> dict[str, CharacteristicScore]:
    penalties = dict.fromkeys(CHARACTERISTICS, 0.0)
    for finding in findings:
        penalties[finding.characteristic] += PENALTY[finding.level] * PENALTY_SCALE.get(
            finding.characteristic, 1.0
        )
    timeliness = _timeliness(f, config)
    judged = {
        # judged against a policy or history, or wherever a finding says the reply contradicts something
        "consistency": bool(f.context.get("policy") or f.context.get("history"))
        or penalties["consistency"] > 0,
        "timeliness": timeliness is not None,
    }
    out: dict[str, CharacteristicScore] = {}
    for name in CHARACTERISTICS:
        # A refusal-only characteristic still counts when a rule found a problem with it
        # ("our supplier messed up" is a bad reason whether or not a no follows).
        refusal_gate = name not in REFUSAL_ONLY or is_refusal or penalties[name] > 0
        if not refusal_gate or not judged.get(name, True):
            out[name] = CharacteristicScore(score=None, applicable=False)
            continue
        value, evidence = BASES[name](f, politeness)
        if name == "timeliness" and timeliness is not None:
            value = timeliness
        score = round(min(1.0, max(0.0, value - penalties[name])), 3)
        out[name] = CharacteristicScore(score=score, evidence=evidence)
    return out


# The page colours a score under this red, whatever the team's threshold.
RED_BELOW = 60


def overall_score(
    characteristics: dict[str, CharacteristicScore],
    findings: Sequence[Finding] = (),
    config: Config | None = None,
) -> int:
    """Weighted mean of the applicable characteristics, 0–100, with two caps.

    * A reply with a consistency problem never scores above the same reply judged without its policy or
      history: knowing what the customer was told must not lift a reply that contradicts it.
    * An ERROR (blame, contradicting the policy, the history or the customer's own message) keeps the
      score under the team threshold and in the red: however warm the rest, it must not be sent as is.
    """
    score = _weighted_mean(characteristics)
    consistency = characteristics.get("consistency")
    if consistency is not None and consistency.applicable and (consistency.score or 0.0) < 1.0:
        unjudged = {k: v for k, v in characteristics.items() if k != "consistency"}
        score = min(score, _weighted_mean(unjudged))
    if any(f.level == "error" for f in findings):
        threshold = (config or Config()).thresholds.min_score
        score = min(score, min(threshold, RED_BELOW) - 1)
    return max(0, score)


def _weighted_mean(characteristics: dict[str, CharacteristicScore]) -> int:
    total = weight = 0.0
    for name, cs in characteristics.items():
        if cs.applicable and cs.score is not None:
            total += WEIGHTS[name] * cs.score
            weight += WEIGHTS[name]
    return round(100 * total / weight) if weight else 0
