"""The frame around a reply's body, and the channels' conventions for it.

A public reply opens with the customer's @handle and ends with the agent's sign-off or initials
("^SA", "/OP", "*SR", "-Becky") and a thread marker ("2/2"); an e-mail opens with a greeting line and
ends with a sign-off block. Whatever tactful adds goes inside the body, so the handle stays first and
the sign-off last, and every edit is spliced in with only its own seams tidied: the rest of the
agent's text, links above all, stays byte for byte as they wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TWEET_LIMIT = 280
TCO_LENGTH = 23  # Twitter counts every link as 23 characters (t.co)
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_LEAD = re.compile(r"\A[ \t]*(?:\.?@\w+[ \t,:]*)+")
_GREETING = re.compile(
    r"[ \t]*(?:¡[ \t]*)?(?i:hi|hey|hello|hiya|howdy|greetings|dear|good (?:morning|afternoon|evening|day))\b"
    r"(?:,?[ \t]+(?i:there|again|all|everyone|folks|team)\b|[ \t]+[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*)?)?"
    r"(?P<end>[ \t]*[!.:,]+|[ \t]+[-–—](?=[ \t])|[ \t]*\n)"
)
_SIGN = (
    r"(?:[\^*~/][ \t]?[A-Z][A-Za-z]{0,14}|[-–—][ \t]?[A-Z][a-z]+(?:[ \t][A-Z][a-z]*)?|[-–—][ \t]?[A-Z]{1,4})"
)
_THREAD = r"\(?\d{1,2}/\d{1,2}\)?"
# Each run of blanks is tried from its first blank only ((?<!…)): from every blank of a long run,
# each attempt would rescan the rest of it (quadratic).
_SOCIAL_TAIL = re.compile(rf"(?<![ \t])(?:[ \t]+{_SIGN}(?:[ \t]+{_THREAD})?|[ \t]+{_THREAD})[ \t]*\Z")
_EMAIL_TAIL = re.compile(
    r"\n[ \t]*\n?[ \t]*(?i:best(?: regards| wishes)?|kind regards|warm regards|regards|thanks(?: again)?"
    r"|thank you|many thanks|cheers|sincerely|all the best|take care)[ \t]*[,.!]?[ \t]*"
    r"(?:\n[^\n]{1,40})?\s*\Z"
)
_INLINE_TAIL = re.compile(  # "… Sorry! Thanks, Ana" on one line
    r"(?<=[.!?])[ \t]+(?i:thanks|thank you|cheers|best|regards|best regards|kind regards|many thanks)[,!.]?"
    r"[ \t]+[A-Z][\w'’-]*[.!]?[ \t]*\Z"
)
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"'”’)\]]*(?=\s|\Z)|\n[ \t]*\n")
_NONSPACE = re.compile(r"\S+")
_WINDOW = 400  # how far a seam looks back: a sentence start, the word before


@dataclass(frozen=True, slots=True)
class Frame:
    """Offsets into a reply: ``lead`` (handles) | greeting | body | ``tail`` (sign-off, thread marker)."""

    lead_end: int  # after the @handles that open a public reply
    body_start: int  # after the greeting
    body_end: int  # before the sign-off
    clause: bool  # the greeting runs on into the body ("Hi there, the …"): what goes first is lower case

    @classmethod
    def of(cls, text: str) -> Frame:
        lead = _LEAD.match(text)
        lead_end = lead.end() if lead else 0
        greeting = _GREETING.match(text, lead_end)
        body_start, clause = lead_end, False
        if greeting:
            body_start = greeting.end()
            end = greeting.group("end").strip()
            own_line = text[body_start : body_start + 1] in ("\n", "")
            clause = end in (",", "-", "–", "—") and not own_line  # "Hi there, the …" runs on
        while body_start < len(text) and text[body_start] in " \t\n":
            body_start += 1
        tail = (
            _SOCIAL_TAIL.search(text, body_start)
            or _EMAIL_TAIL.search(text, body_start)
            or _INLINE_TAIL.search(text, body_start)
        )
        body_end = tail.start() if tail else len(text.rstrip())
        body_end = max(body_start, len(text[:body_end].rstrip()))
        return cls(lead_end, body_start, body_end, clause)


def tweet_length(text: str) -> int:
    """Characters as Twitter counts them: each link is 23 (t.co), whatever its length."""
    return len(URL.sub("x" * TCO_LENGTH, text))


def in_url(text: str, pos: int) -> bool:
    """Is ``pos`` inside a link? (Looks only at the word around it: linear over many calls.)"""
    lo = pos
    while lo > 0 and not text[lo - 1].isspace() and pos - lo < _WINDOW:
        lo -= 1
    m = URL.search(text, lo, pos + 1)  # a link that starts by pos, in this word only
    if m is None:
        return False
    full = URL.match(text, m.start())
    return full is not None and full.start() <= pos < full.end()


def sentence_end(text: str, pos: int) -> int:
    """Where the sentence holding ``pos`` ends (after its punctuation); a link's dots end nothing."""
    while pos > 0 and text[pos - 1] in ".!?":  # from inside a run of marks: from its first one
        pos -= 1
    for m in _SENTENCE_END.finditer(text, pos):
        if not in_url(text, m.start()):
            return m.end() if m.group(0)[0] in ".!?" else m.start()
    return len(text.rstrip())


def lower_first(sentence: str) -> str:
    """A sentence going on after "Hi there, …": its first letter lower-cased, unless it is "I"."""
    if re.match(r"I\b", sentence):
        return sentence
    return sentence[:1].lower() + sentence[1:]


def opens_sentence(text: str, pos: int) -> bool:
    before = text[max(0, pos - _WINDOW) : pos].rstrip(" \t")
    return not before or before[-1] in ".!?\n"


def _capitalize_at(text: str, pos: int) -> str:
    """Upper-case the word starting at ``pos`` unless it is a link, a handle or already cased."""
    while pos < len(text) and text[pos] in " \t\n\"'“(":
        pos += 1
    if pos >= len(text) or not text[pos].islower() or in_url(text, pos):
        return text
    word = _NONSPACE.match(text, pos)
    if word and ("/" in word.group(0) or "." in word.group(0).rstrip(".,!?")):
        return text  # "support.example.com", "w/our"
    return text[:pos] + text[pos].upper() + text[pos + 1 :]


def splice(text: str, start: int, end: int, new: str) -> str:
    """Replace ``text[start:end]`` with ``new`` and tidy only the seams it leaves behind."""
    before, after = text[:start], text[end:]
    if not new:
        # "word , next" / "word  next" / ", ." left by a removal
        after_stripped = after.lstrip(" \t")
        if before.endswith((" ", "\t")) and (not after_stripped or after_stripped[0] in ",.;:!?\n"):
            before = before.rstrip(" \t")
        elif before.endswith((" ", "\t")) and after.startswith((" ", "\t")):
            after = after.lstrip(" \t")
        if before.rstrip().endswith(",") and after.lstrip(" \t")[:1] in (".", "!", "?", ""):
            before = before.rstrip()[:-1]
        if after.lstrip(" \t")[:1] == "," and (not before.strip() or before.rstrip()[-1:] in ".!?,\n"):
            after = after.lstrip(" \t")[1:].lstrip(" \t")
            if before and not before.endswith((" ", "\n")):
                after = " " + after
        out = before + after
        at = len(before)
        if opens_sentence(out, at):
            out = _capitalize_at(out, at)
        return out
    lead = "" if not before or before[-1] in " \t\n" or new[0] in " \n,.;:!?" else " "
    trail = "" if not after or after[0] in " \t\n,.;:!?" or new[-1] in " \n" else " "
    out = before + lead + new + trail + after
    at = len(before + lead + new + trail)
    if new.rstrip()[-1:] in ".!?" and opens_sentence(out, at):
        out = _capitalize_at(out, at)
    return out


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping edits (start, end, new) from the first to the last; an edit that overlaps
    one already taken is skipped, inserts at one point keep their order. Each seam is tidied within a
    window of the text around it, so many edits cost time linear in the text."""
    chosen: list[tuple[int, int, str]] = []
    reach = -1  # the end of the last edit that replaced something
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < reach:
            continue
        chosen.append((start, end, new))
        if start < end:
            reach = end
    done: list[str] = []
    tail = ""  # the end of the text written so far: seams look back into it
    pos = 0
    for i, (start, end, new) in enumerate(chosen):
        tail += text[pos:start]
        if len(tail) > 2 * _WINDOW:
            done.append(tail[:-_WINDOW])
            tail = tail[-_WINDOW:]
        upto = chosen[i + 1][0] if i + 1 < len(chosen) else len(text)
        # The seam also sees what will follow the next edit's start (its new words, then the text),
        # read only: "this, as I already said it's" loses its comma only if a stop follows.
        look = ""
        if i + 1 < len(chosen) and not text[end:upto].strip():
            nxt = chosen[i + 1]
            look = nxt[2] + text[nxt[1] : nxt[1] + _WINDOW]
        joined = splice(tail + text[start:upto] + look, len(tail), len(tail) + end - start, new)
        if look and joined[len(joined) - len(look) :].lower() == look.lower():  # a capital at most
            joined = joined[: len(joined) - len(look)]
        elif look:  # the seam reached into what follows: decide without it
            joined = splice(tail + text[start:upto], len(tail), len(tail) + end - start, new)
        tail = joined
        pos = upto
    done.append(tail + text[pos:])
    return "".join(done)


def as_thread(text: str, limit: int = TWEET_LIMIT) -> list[str]:
    """A public reply over ``limit`` as numbered tweets ("1/2" … ), each opening with the handles and
    the last keeping the sign-off; a sentence is never split, a link never cut."""
    frame = Frame.of(text)
    handles = text[: frame.lead_end].strip()
    body = text[frame.lead_end : frame.body_end]
    tail = text[frame.body_end :].strip()
    sentences: list[str] = []
    at = 0
    while at < len(body):
        while at < len(body) and body[at].isspace():
            at += 1
        end = sentence_end(body, at)
        if end <= at:
            end = len(body)
        piece = body[at:end].strip()
        if piece:
            sentences.append(piece)
        at = end
    room = limit - tweet_length(handles) - len(" 9/9") - 2
    parts: list[str] = []
    for sentence in sentences:
        if parts and tweet_length(parts[-1] + " " + sentence) <= room:
            parts[-1] += " " + sentence
        else:
            parts.append(sentence)
    if tail:
        if tweet_length(parts[-1] + " " + tail) <= room:
            parts[-1] += " " + tail
        else:
            parts.append(tail)
    n = len(parts)
    return [
        " ".join(p for p in (handles, part, f"{i}/{n}" if n > 1 else "") if p)
        for i, part in enumerate(parts, 1)
    ]
