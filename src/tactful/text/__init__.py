"""Fast text primitives: sentences, words and spans. Regex only, nothing heavy at import."""

from tactful.text.spans import sentence_spans, word_count, words

__all__ = ["sentence_spans", "word_count", "words"]
