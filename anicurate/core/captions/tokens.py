"""CLIP's byte-pair tokenizer, to count a prompt's tokens the way the text encoder sees them.

A port of OpenAI CLIP's ``SimpleTokenizer`` (as in OpenCLIP) on the shipped merges file
(resources/clip): HTML unescaping, whitespace folding and lowercasing, CLIP's pre-tokenising
pattern (``'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+``, scanned here with
``unicodedata`` instead of the ``regex`` package), byte-level symbols and merge ranks. It skips
``ftfy.fix_text``, which only repairs mojibake; clean text tokenises the same.
"""

from __future__ import annotations

import gzip
import html
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

from anicurate import paths

#: The text encoder's context: 77 tokens, of which start and end take two.
CONTEXT_LENGTH = 77
BUDGET = CONTEXT_LENGTH - 2
VOCAB_FILE = "bpe_simple_vocab_16e6.txt.gz"
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


@cache
def _bytes_to_unicode() -> dict[int, str]:
    """Each byte as a printable character, so BPE never sees whitespace or control bytes."""
    bs = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
          *range(ord("®"), ord("ÿ") + 1)]  # fmt: skip
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


class ClipTokenizer:
    """CLIP's BPE over the merges file: ``encode`` gives token ids, ``count`` their number."""

    def __init__(self, merges_text: str) -> None:
        lines = merges_text.split("\n")[1 : 49152 - 256 - 2 + 1]
        merges = [tuple(line.split()) for line in lines]
        byte_chars = list(_bytes_to_unicode().values())
        vocab = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.encoder = {v: i for i, v in enumerate(vocab)}
        self.ranks = {(m[0], m[1]): i for i, m in enumerate(merges) if len(m) == 2}
        self._bpe = lru_cache(maxsize=65536)(self._bpe_uncached)

    def _bpe_uncached(self, token: str) -> tuple[str, ...]:
        """Merge the word's symbols by rank until no known pair is left."""
        word = (*token[:-1], token[-1] + "</w>")
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, 1 << 30))
            if best not in self.ranks:
                break
            first, second = best
            merged: list[str] = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
        return word

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` without the start and end tokens."""
        byte_map = _bytes_to_unicode()
        ids: list[int] = []
        for piece in pieces(clean(text)):
            symbol = "".join(byte_map[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[s] for s in self._bpe(symbol))
        return ids

    def count(self, text: str) -> int:
        """How many tokens ``text`` takes of the encoder's 75."""
        return len(self.encode(text))


def clean(text: str) -> str:
    """CLIP's cleaning without ftfy: HTML entities undone twice, whitespace folded, lowercased."""
    text = html.unescape(html.unescape(text)).strip()
    return " ".join(text.split()).lower()


def _kind(ch: str) -> str:
    """``L`` letter, ``N`` number, ``S`` whitespace, ``O`` anything else (CLIP's classes)."""
    if ch.isspace():
        return "S"
    cat = unicodedata.category(ch)[0]
    return cat if cat in "LN" else "O"


def pieces(text: str) -> Iterator[str]:
    """CLIP's pre-tokenising pattern: contractions, letter runs, single digits, symbol runs."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            hit = next((c for c in _CONTRACTIONS if text.startswith(c, i)), None)
            if hit is not None:
                yield hit
                i += len(hit)
                continue
        kind = _kind(ch)
        if kind == "S":
            i += 1
            continue
        if kind == "N":
            yield ch
            i += 1
            continue
        j = i + 1
        while j < n and _kind(text[j]) == kind:
            j += 1
        yield text[i:j]
        i = j


@cache
def tokenizer() -> ClipTokenizer:
    """The shared tokenizer over the shipped merges file (read once, about 0.3 s)."""
    path = paths.resources_dir() / "clip" / VOCAB_FILE
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return ClipTokenizer(f.read())


def count_tokens(text: str) -> int:
    """CLIP tokens ``text`` takes, without start and end (the budget is :data:`BUDGET`)."""
    return tokenizer().count(text)
