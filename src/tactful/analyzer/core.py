"""``analyze``: one reply in, one :class:`~tactful.contract.Analysis` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tactful.analyzer import politeness
from tactful.analyzer.features import extract
from tactful.analyzer.rubric import overall_score, score_characteristics
from tactful.config import Config
from tactful.contract import CHARACTERISTICS, Analysis, CharacteristicScore, Counts, Finding
from tactful.errors import TextTooLarge as TextTooLarge
from tactful.rules import run_rules

_DEFAULT_CONFIG = Config()


def empty_analysis(text: str) -> Analysis:
    return Analysis(
        text=text,
        score=0,
        is_refusal=False,
        politeness=0.0,
        characteristics={c: CharacteristicScore(score=None, applicable=False) for c in CHARACTERISTICS},
        counts=Counts(),
        findings=[],
        empty=True,
    )


def analyze(
    reply: str,
    customer_message: str | None = None,
    context: dict[str, Any] | None = None,
    *,
    config: Config | None = None,
    extra_findings: Sequence[Finding] = (),
) -> Analysis:
    """Score ``reply`` on the rubric, find the spans that hurt it and suggest the fix.

    ``customer_message`` lets empathy reward mirroring the customer's own details;
    ``context`` may carry ``policy``/``history`` (consistency) and timestamps with a
    ``channel`` (timeliness). Without them those characteristics are not applicable.
    ``extra_findings`` come from outside the text (the store's memory of this customer) and
    count towards the scores like the rules' own.
    """
    if not isinstance(reply, str):
        raise TypeError(f"reply must be a str, not {type(reply).__name__}")
    if context is not None and not isinstance(context, dict):
        raise TypeError(f"context must be a dict, not {type(context).__name__}")
    config = config or _DEFAULT_CONFIG
    if len(reply) > config.limits.max_chars:
        raise TextTooLarge(
            f"reply is {len(reply):,} characters; the limit is {config.limits.max_chars:,} "
            "(limits.max_chars in tactful.toml)"
        )
    if not reply.strip():
        return empty_analysis(reply)
    feats = extract(reply, customer_message or None, context)
    findings = run_rules(feats, config)
    if extra_findings:
        findings = sorted([*findings, *extra_findings], key=lambda f: (f.start, f.end, f.rule))
    polite = politeness.score(reply)
    is_refusal = bool(feats.refusals)
    characteristics = score_characteristics(feats, findings, polite, is_refusal, config)
    return Analysis(
        text=reply,
        score=overall_score(characteristics, findings, config),
        is_refusal=is_refusal,
        politeness=polite,
        characteristics=characteristics,
        counts=Counts(
            apologies=len(feats.spans("apology")),
            alternatives=len(feats.alternatives),
            refusals=len(feats.refusals),
            words=feats.words,
        ),
        findings=findings,
    )
