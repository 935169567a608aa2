"""Fast text primitives: sentences, words and spans. Regex only, nothing heavy at import."""

from tactful.text.spans import fold, mask_urls, sentence_spans, word_count

__all__ = ["fold", "mask_urls", "sentence_spans", "word_count"]
