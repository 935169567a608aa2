"""Politeness score of a request or reply, 0.0 (rude) to 1.0 (polite).

A linear model over word unigrams and bigrams plus the paper's politeness strategies as word classes,
trained by ``scripts/train_politeness.py`` on the Stanford Politeness Corpus (Danescu-Niculescu-Mizil et
al., ACL 2013). Punctuation and start/end markers are tokens, so bigrams such as ``<s> could``,
``? why`` or ``? </s>`` carry position cues (sentence start, direct question). Pure stdlib: inference
is one regex pass plus dict lookups, and the model file is read lazily on the first call.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from itertools import repeat

__all__ = ["FEATURE_VERSION", "feature_keys", "score"]

#: Bumped whenever ``feature_keys`` changes, so a model trained on other features is refused.
FEATURE_VERSION = 2

# One linear-time pass over the lower-cased text: the <url> placeholder, a word (with an inner
# apostrophe), or one punctuation mark ("??" is two "?" tokens, hence the bigram "? ?").
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!.,:;()]|<url>")

# Word classes after the paper's politeness strategies. A class pools the evidence of its words,
# which a corpus of a few thousand requests cannot give each word alone.
_CLASSES = {
    "GRATITUDE": "thank thanks thx appreciate appreciated grateful",
    "APOLOGY": "sorry apologize apologies apologise excuse oops regret",
    "GREETING": "hi hello hey dear greetings",
    "HEDGE": "think suggest perhaps maybe possibly probably seems seem guess assume might believe likely "
    "suppose apparently somewhat wonder wondering",
    "FACTUALITY": "actually really obviously clearly fact point truth honestly surely definitely",
    "FIRST_PERSON": "i me my mine myself i'm i've i'd i'll",
    "FIRST_PLURAL": "we us our ours ourselves we're we've we'll",
    "SECOND_PERSON": "you your yours yourself you're you've you'd you'll u ur",
    "NEGATIVE": "wrong bad stupid nonsense ridiculous useless terrible awful crap hell damn idiot dumb lazy "
    "silly pointless vandalism problem",
    "POSITIVE": "great good nice excellent awesome cool wonderful helpful interesting best love glad happy "
    "fantastic",
    "COUNTERFACTUAL_MODAL": "could would",
    "INDICATIVE_MODAL": "can will",
    "DIRECT_QUESTION": "what why who how where when which",
    "DIRECT_START": "so then and but",
}
_CLASS = {w: c for c, ws in _CLASSES.items() for w in ws.split()}
# Tokens after which a new sentence starts: the start marker and sentence punctuation.
_BOUNDARY = frozenset({"<s>", ".", "?", "!", ":", ";"})

_model: tuple[dict[str, float], float, float, float] | None = None


def _tokens(text: str) -> list[str]:
    """Lower-cased tokens between a start and an end marker."""
    toks = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    toks.insert(0, "<s>")
    toks.append("</s>")
    return toks


def feature_keys(text: str) -> list[str]:
    """Feature names present in ``text``, repeats counted; the one function training and inference share.

    Unigrams, bigrams (with ``<s>``/``</s>``), sentence-initial words ``^w``, word classes ``C`` with
    sentence-initial ``^C`` and first-sentence ``1:C`` / ``^1x`` variants: the paper found position
    matters ("please" opening a request reads differently from "please" inside it). Written as
    comprehensions over C-level ``zip``/``map`` because this is the hot path of ``score``.
    """
    toks = _tokens(text)
    words = toks[1:-1]
    keys = words[:]
    keys += [a + " " + b for a, b in zip(toks, toks[1:], strict=False)]
    if not words:
        return keys
    cls = _CLASS.get
    starts = [b for a, b in zip(toks, words, strict=False) if a in _BOUNDARY]
    keys += ["^" + t for t in starts]
    keys += ["^" + c for c in map(cls, starts) if c]
    keys += [c for c in map(cls, words) if c]
    end = len(words)
    for i, t in enumerate(words):  # the first sentence ends at its first boundary token
        if t in _BOUNDARY:
            end = i
            break
    keys += ["1:" + c for c in map(cls, words[:end]) if c]
    keys.append("^1" + (cls(words[0]) or words[0]))
    return keys


def _load() -> tuple[dict[str, float], float, float, float]:
    """Read the shipped weights once; kept out of import time so ``import tactful`` stays cheap."""
    global _model
    if _model is None:
        raw = resources.files("tactful.analyzer").joinpath("politeness_model.json").read_text("utf-8")
        data = json.loads(raw)
        if data.get("feature_version") != FEATURE_VERSION:
            raise RuntimeError("politeness_model.json was trained with other features; retrain it")
        _model = (data["weights"], float(data["bias"]), float(data["center"]), float(data["scale"]))
    return _model


_Tables = tuple[dict[tuple[str, str], float], dict[str, float], dict[str, float], dict[str, float]]


@cache
def _folded_weights() -> _Tables:
    """Per-word sums of the weights ``feature_keys`` would emit for that word, so ``linear`` does
    one lookup where the keys need two or three: a word with its class (``w`` + ``C``), a sentence
    start (``^w`` + ``^C``), a first-sentence word (``1:C``). Bigrams are keyed by the pair of
    tokens, so ``linear`` looks them up without building a string per pair. tests/analyzer/test_politeness.py
    checks that ``linear`` equals the sum over ``feature_keys`` exactly."""
    weights = _load()[0]
    vocab = {k for k in weights if " " not in k and not k.startswith(("^", "1:"))} | set(_CLASS)
    pair: dict[tuple[str, str], float] = {}
    for key, value in weights.items():
        if " " in key:  # tokens hold no spaces: a key with one is a bigram
            a, b = key.split(" ")
            pair[a, b] = value
    word: dict[str, float] = {}
    start: dict[str, float] = {}
    first: dict[str, float] = {}
    for w in vocab:
        c = _CLASS.get(w)
        word[w] = weights.get(w, 0.0) + (weights.get(c, 0.0) if c else 0.0)
        start[w] = weights.get("^" + w, 0.0) + (weights.get("^" + c, 0.0) if c else 0.0)
        if c:
            first[w] = weights.get("1:" + c, 0.0)
    for key, value in weights.items():  # sentence starts seen in training but not as unigrams
        # ("^1…" keys too: a sentence may start with a token such as "1o", whose start key is "^1o")
        if key.startswith("^") and key[1:] not in start:
            start[key[1:]] = value + (weights.get("^" + _CLASS[key[1:]], 0.0) if key[1:] in _CLASS else 0.0)
    return pair, word, start, first


def linear(text: str) -> float:
    """``bias + Σ weights[k] for k in feature_keys(text)``, computed with the folded tables (the same
    terms added in the same order, so the same float)."""
    weights, bias, _, _ = _load()
    pair, word, start, first = _folded_weights()
    toks = _tokens(text)
    words = toks[1:-1]
    z = bias + sum(map(pair.get, zip(toks, toks[1:], strict=False), repeat(0.0)))
    if not words:
        return z
    z += sum(map(word.get, words, repeat(0.0)))
    # toks[i] opens a sentence after a boundary token; toks[0] is "<s>" (words holds no boundary of that
    # shape, and "</s>" is none), so the first sentence ends where the second boundary is
    bounds = [i for i, t in enumerate(toks) if t in _BOUNDARY]
    last = len(words)
    z += sum(map(start.get, [toks[i + 1] for i in bounds if i < last], repeat(0.0)))
    end = bounds[1] - 1 if len(bounds) > 1 else last
    z += sum(map(first.get, words[:end], repeat(0.0)))
    return z + weights.get("^1" + (_CLASS.get(words[0]) or words[0]), 0.0)


def score(text: str) -> float:
    """Politeness in [0, 1]: logistic squash of the linear score, centred on the training median.

    Only the ranking was trained (the evaluation cuts at the median), so 0.5 means "typical request".
    Never raises on a string; a non-string counts as empty text.
    """
    _, _, center, scale = _load()
    z = (linear(text if isinstance(text, str) else "") - center) / scale
    if z > 35.0:
        return 1.0
    if z < -35.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))
