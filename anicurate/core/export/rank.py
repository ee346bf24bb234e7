"""Okapi BM25 over caption words: a prompt's rare words count for more than common ones, so
a sentence prompt finds the clips whose sentences say the same unusual things."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

K1 = 1.2
B = 0.75
#: Words too common in captions to tell clips apart.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "by",
        "for",
        "from",
        "as",
        "it",
        "its",
        "this",
        "that",
        "his",
        "her",
        "their",
        "there",
        "into",
        "while",
    ]
)


def words(text: str) -> list[str]:
    """Lowercased words of a caption; underscores split words (``long_hair``)."""
    return [w for w in re.findall(r"[\w']+", text.lower().replace("_", " ")) if w not in STOP_WORDS]


class BM25:
    """Scores documents (captions) against a query; built once per search."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.docs = [Counter(words(d)) for d in documents]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg = (sum(self.lengths) / len(self.docs)) if self.docs else 0.0
        self.df: Counter[str] = Counter(w for d in self.docs for w in d)

    def idf(self, word: str) -> float:
        n, df = len(self.docs), self.df[word]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def score(self, index: int, query: str, skip: frozenset[str] = frozenset()
              ) -> tuple[float, list[str]]:  # fmt: skip
        """BM25 of document ``index`` for ``query`` (less the words in ``skip``, already
        counted elsewhere) and the query words it holds."""
        doc, length = self.docs[index], self.lengths[index]
        total, hit = 0.0, []
        for word in dict.fromkeys(words(query)):
            tf = doc.get(word, 0)
            if not tf or word in skip:
                continue
            norm = K1 * (1 - B + B * length / (self.avg or 1))
            total += self.idf(word) * tf * (K1 + 1) / (tf + norm)
            hit.append(word)
        return total, hit
