"""Is the message English? A stopword-ratio guess over a few common languages, no downloads.

Each list holds frequent function words (and a few support words: "pedido", "Bestellung") that
are *not* English words, so an English message with one "de la" in a name still reads as
English. The guess looks at the first 20,000 characters only.
"""

from __future__ import annotations

import re

_SCAN = 20_000
_TOKEN = re.compile(r"[^\W\d_]+")

_EN = frozenset(
    """the and to of i it you that my for this have not be with are but your we can do at if just
    please would could they about what there all when how has been get did order from had were our
    he she his her them or any is was""".split()
)
# Words shared with English ("no", "me", "in", "so", "an", "on", "will") are in no list at all;
# words other lists share with the English list are dropped from them below.
_OTHER: dict[str, frozenset[str]] = {
    "es": frozenset(
        """el la los las que de y en por para con mi mis un una es del al pero como muy pedido quiero
        gracias hola esta este está estoy su sus lo le se ya más porque cuando dinero reembolso también
        hace días compra tengo nos sin hasta sido llegó todavía ayuda necesito""".split()
    ),
    "fr": frozenset(
        """le la les de des du et un une est je j pas pour que qui dans sur avec mon ma mes vous nous
        il elle ce cette c n d l qu ai à au aux mais très commande merci bonjour remboursement votre
        depuis toujours reçu jamais été suis avez aucun""".split()
    ),
    "de": frozenset(
        """der die das und ist nicht ich sie es ein eine einen mit auf für zu den dem des von mein
        meine meinen bitte danke habe hat wir aber noch nach bei auch wie bestellung geld zurück
        keine kein wurde vor sehr schon heute warum dass ihr ihre""".split()
    ),
    "pt": frozenset(
        """o os que de e em um uma para com não meu minha por da dos das na é eu mas pedido obrigado
        obrigada olá reembolso você ainda foi ao seu sua está estou muito quero dinheiro já também
        recebi nada""".split()
    ),
    "it": frozenset(
        """il lo la gli le di e che un una è per con non mi mio mia del della dei al alla sono ho ha
        ma ordine grazie ciao rimborso ancora questo questa perché molto anche da nel nella sul
        vorrei soldi già ricevuto""".split()
    ),
    "nl": frozenset(
        """de het een en van ik je niet dat op te zijn met voor mijn maar er ook wat geen bestelling
        bedankt dank graag hallo nog al naar heb heeft wij u uw kan wil geld terug waarom deze dit
        dus ontvangen""".split()
    ),
}
_OTHER = {code: words - _EN for code, words in _OTHER.items()}
_LANGS: dict[str, tuple[str, ...]] = {}
for _code, _words in [("en", _EN), *_OTHER.items()]:
    for _w in _words:
        _LANGS[_w] = (*_LANGS.get(_w, ()), _code)

NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "unknown": "an unknown language",
}


def _latin(word: str) -> bool:
    c = ord(word[0])
    return c < 0x250 or 0x1E00 <= c <= 0x1EFF


def detect_language(folded: str, counts: dict[str, int] | None = None) -> str:
    """``en``, one of ``es fr de pt it nl``, or ``unknown`` for lower-cased ``folded`` text.

    ``counts`` (word -> occurrences, e.g. from :class:`~tactful.text.patterns.WordStarts`) saves
    tokenizing again; without it the first 20,000 characters are read."""
    if counts is None:
        counts = {}
        for t in _TOKEN.findall(folded, 0, _SCAN):
            counts[t] = counts.get(t, 0) + 1
    else:
        counts = {w: c for w, c in counts.items() if not w.isdigit()}
    n = sum(counts.values())
    if not n:
        return "unknown"
    if not folded.isascii() and sum(c for t, c in counts.items() if not _latin(t)) * 2 > n:
        return "unknown"  # mostly another script (Cyrillic, CJK, Arabic…)
    hits: dict[str, int] = {}
    lookup = _LANGS.get
    for t, c in counts.items():
        codes = lookup(t)
        if codes:
            for code in codes:
                hits[code] = hits.get(code, 0) + c
    en = hits.pop("en", 0)
    best, best_hits = "", 0
    for code in _OTHER:  # ties go to the earlier language
        count = hits.get(code, 0)
        if count > best_hits:
            best, best_hits = code, count
    if best_hits >= 2 and best_hits > 1.5 * en and best_hits >= 0.15 * n:
        return best
    if en == 0 and n >= 5:
        return "unknown"  # five or more words and not one English function word
    return "en"
