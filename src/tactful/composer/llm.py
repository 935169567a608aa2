"""Optional polish of a deterministic draft by an LLM behind an OpenAI-compatible endpoint.

The model only rewords. Whatever it returns goes through :mod:`tactful.composer.guard` and
the analyzer; output that changes the decision, adds a promise, number, date, link or
option, or scores worse than the draft is rejected with its reasons and the deterministic
text is kept. A model that is down or slow costs a note, never a reply.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any

from tactful.composer.guard import Inputs, check
from tactful.config import Config

SYSTEM_PROMPT = (
    "You polish customer-support replies. Rewrite the reply so it reads warmly and naturally. "
    "Keep its meaning exactly: if it says no, it must still say no. Keep every option it offers "
    "and add none. Add no promise, exception, number, date, link or fact. Keep it about as long. "
    "Answer with the reply text only."
)
MAX_SCORE_DROP = 5  # a polish may cost at most this many points on the analyzer
_FENCE = re.compile(r"\A```[a-z]*\n?|\n?```\Z")


@dataclass(slots=True)
class Polish:
    """What the polish step did: ``accepted`` means ``text`` is the model's, else the draft's."""

    text: str
    accepted: bool
    model: str
    reasons: list[str] = field(default_factory=list)
    candidate: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "model": self.model,
            "reasons": list(self.reasons),
            "candidate": self.candidate,
        }


def _ask(text: str, message: str | None, config: Config) -> str:
    """One chat completion; raises ``httpx.HTTPError`` or ``ValueError`` when it can't be had."""
    import httpx

    llm = config.llm
    headers = {}
    if llm.api_key_env:
        key = os.environ.get(llm.api_key_env)
        if not key:
            raise ValueError(f"${llm.api_key_env} (llm.api_key_env) is not set")
        headers["Authorization"] = f"Bearer {key}"
    user = (
        f"Customer's message:\n{message}\n\nReply to polish:\n{text}"
        if message
        else f"Reply to polish:\n{text}"
    )
    body = {
        "model": llm.model,
        "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
        "temperature": llm.temperature,
        "max_tokens": llm.max_tokens,
    }
    response = httpx.post(
        llm.endpoint.rstrip("/") + "/chat/completions", json=body, headers=headers, timeout=llm.timeout_s
    )
    response.raise_for_status()
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"unexpected answer shape: {exc!r}") from None
    if not isinstance(content, str):
        raise ValueError("the answer's content is not text")
    return _FENCE.sub("", content.strip()).strip().strip('"').strip()


def polish(text: str, inputs: Inputs, message: str | None, config: Config, score: int) -> Polish:
    """Ask the configured model to polish ``text`` (which scored ``score``); guard what comes back."""
    import httpx

    from tactful.analyzer.core import analyze

    model = config.llm.model
    if not config.llm.endpoint:
        return Polish(text, False, model, ["no LLM configured (llm.endpoint in tactful.toml)"])
    try:
        candidate = _ask(text, message, config)
    except (httpx.HTTPError, ValueError) as exc:
        return Polish(text, False, model, [f"the LLM could not be used: {exc}"])
    limit = int(len(text) * 1.5) + 200
    reasons = check(candidate, dataclasses.replace(inputs, max_chars=limit))
    if not reasons:
        polished = analyze(candidate, message, config=config).score
        if polished < score - MAX_SCORE_DROP:
            reasons.append(f"it scores {polished} on the analyzer, below the draft's {score}")
    if reasons:
        return Polish(text, False, model, reasons, candidate)
    return Polish(candidate, True, model, [], candidate)
