"""The search index: BM25 over several weighted fields, query expansion, and the why-terms.

Built in memory from `Doc` rows (see ``sources.py``); no database access here, so the
benchmark can build it from synthetic documents and tests can build it from literals.
"""

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

import bm25s
import numpy as np

from . import text as tx

# bm25s sets its own logger to DEBUG, which the console handler would print on every build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

KINDS = ("onething", "oneclass", "item", "policy")

# Field weights: a hit in a name or alias means far more than one in a material list.
CHANNELS = {"title": 3.0, "keys": 2.0, "body": 1.0, "detail": 0.4}
GRAM_WEIGHT = 0.35
CHAR_WEIGHT = 0.15
SYNONYM_WEIGHT = 0.9
PINYIN_WEIGHT = 0.8
# A lone Han character the segmenter could not join to a word (小, 开) is weak evidence: it
# matches any name that contains it, so it must not outweigh a word (小 vs 小饭馆 → 运输).
SINGLE_CHAR_WEIGHT = 0.3
# A one-thing inherits part of its best member's score, and always outranks that member.
CHILD_SHARE = 0.5
PARENT_MARGIN = 1.05
MIN_RELATIVE = 0.08
# Marks why-entries from the bigram and character channels: shown only when no word matched.
LOOSE = "\x00"


@dataclass
class Doc:
    code: str
    name: str
    kind: str
    title: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    # The one-things this entry leads to: itself, the members of a one-class, an item's owners.
    onethings: tuple[str, ...] = ()


@dataclass
class Hit:
    code: str
    name: str
    kind: str
    score: float
    why: list[str]
    onethings: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "score": round(self.score, 3),
            "why": self.why,
        }


@dataclass
class Term:
    """A query term, its weight, and how it got there (for the why-line)."""

    token: str
    weight: float
    shown: str


class Index:
    def __init__(self, docs: list[Doc], synonyms: list[tuple[str, list[str]]] | None = None):
        self.docs = docs
        self.synonyms = [(c, [t for t in terms if t]) for c, terms in (synonyms or [])]
        self.segmenter = tx.Segmenter(self._dictionary())
        self.channels = {name: self._bm25(name) for name in CHANNELS}
        self.grams = _build_bm25([tx.bigrams(" ".join(d.title + d.keys)) for d in docs])
        self.chars = _build_bm25([tx.chars(" ".join(d.title + d.keys)) for d in docs])
        self.phrases = self._phrases()
        self.vocabulary = set().union(*(bm.vocab_dict for bm in self.channels.values()))
        self.by_pinyin = self._pinyin_map()
        self._links()

    # ---- building ---------------------------------------------------------------------

    def _dictionary(self) -> set[str]:
        terms = {t for d in self.docs for t in d.title + d.keys}
        terms |= {t for d in self.docs for t in d.detail if len(t) <= 12}
        for canonical, group in self.synonyms:
            terms |= {canonical, *group}
        return {tx.normalise(t) for t in terms}

    def _bm25(self, channel: str) -> bm25s.BM25:
        tokens = [
            self.segmenter.words(tx.normalise(" ".join(getattr(d, channel)))) for d in self.docs
        ]
        return _build_bm25(tokens)

    def _phrases(self) -> list[tuple[str, str, frozenset[str], list[re.Pattern]]]:
        """Each colloquial term as (term, canonical, its characters, patterns that allow small
        insertions and a verb after its object: 开个面馆 ≈ 开面馆, 经营范围要改 ≈ 改经营范围)."""
        out = []
        for canonical, group in self.synonyms:
            for term in {tx.normalise(t) for t in group + [canonical]}:
                out.append((term, canonical, frozenset(term), _patterns(term)))
        return out

    def _pinyin_map(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            if len(word) >= 2 and tx.is_han(word) and word.isalnum():
                out[tx.pinyin_key(word)].add(word)
        return out

    def _links(self) -> None:
        """Which rows are one-things, and which rows (items, one-classes) feed each of them."""
        self.position = {(d.kind, d.code): n for n, d in enumerate(self.docs)}
        self.children: dict[int, list[int]] = defaultdict(list)
        for n, d in enumerate(self.docs):
            if d.kind == "onething":
                continue
            for code in d.onethings:
                parent = self.position.get(("onething", code))
                if parent is not None:
                    self.children[parent].append(n)

    # ---- querying ---------------------------------------------------------------------

    def terms(self, query: str) -> list[Term]:
        """Words of the query, then synonym canonicals, then pinyin corrections of typos."""
        normal = tx.normalise(query)[: tx.MAX_QUERY_CHARS]
        found: dict[str, Term] = {}
        words = self.segmenter.words(normal)
        for word in words:
            found.setdefault(word, Term(word, 1.0, word))
        for term in self._synonym_terms(normal) + self._pinyin_terms(normal):
            found.setdefault(term.token, term)
        return [_weighed(term) for term in found.values()]

    def _synonym_terms(self, normal: str) -> list[Term]:
        out = []
        for term, canonical in self._synonym_matches(normal):
            shown = term if term == tx.normalise(canonical) else f"{term}→{canonical}"
            out += [
                Term(w, SYNONYM_WEIGHT, shown)
                for w in self.segmenter.words(tx.normalise(canonical))
            ]
        return out

    def _synonym_matches(self, normal: str) -> list[tuple[str, str]]:
        """Colloquial terms said in the query; a term inside a longer match is dropped
        (宝宝落户 means 户口登记, not the 落户 of 户口迁移)."""
        present = set(normal)
        found: list[tuple[str, str, tuple[int, int]]] = []
        for term, canonical, letters, patterns in self.phrases:
            if not letters <= present:
                continue
            if m := next((m for p in patterns if (m := p.search(normal))), None):
                found.append((term, canonical, m.span()))
        return [(t, c) for t, c, span in found if not _inside(span, t, found)]

    def _pinyin_terms(self, normal: str) -> list[Term]:
        out = []
        for run in tx.runs(normal):
            if tx.is_han(run):
                out += self._run_corrections(run)
        return out

    def _run_corrections(self, run: str) -> list[Term]:
        syllables = [tx.pinyin_key(ch) for ch in run]
        out: list[Term] = []
        covered: set[int] = set()
        # Longest windows first; a window inside an already corrected span adds nothing new.
        for size in range(min(len(run), 6), 1, -1):
            for start in range(len(run) - size + 1):
                span = set(range(start, start + size))
                window = run[start : start + size]
                if span <= covered or self._plausible(window):
                    continue
                words = self.by_pinyin.get("".join(syllables[start : start + size]), ())
                out += [Term(w, PINYIN_WEIGHT, f"{window}→{w}") for w in sorted(words)]
                covered |= span if words else set()
        return out

    def _plausible(self, window: str) -> bool:
        """Known as written: a catalog word, or a common two-character word (出声 is not 出生)."""
        return window in self.vocabulary or (len(window) == 2 and self.segmenter.is_word(window))

    def search(self, query: str, limit: int = 10, kinds: tuple[str, ...] = KINDS) -> list[Hit]:
        terms = self.terms(query)
        if not terms or not self.docs:
            return []
        total, why = self._score(terms, query)
        total = self._lift_parents(total, why)
        return self._hits(total, why, limit, kinds)

    def _score(self, terms: list[Term], query: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        total = np.zeros(len(self.docs), dtype=np.float64)
        why: dict[str, np.ndarray] = {}
        for term in terms:
            part = sum(
                weight * _scores(self.channels[name], term.token)
                for name, weight in CHANNELS.items()
            )
            if np.any(part):
                why[term.shown] = part * term.weight
                total += why[term.shown]
        normal = tx.normalise(query)[: tx.MAX_QUERY_CHARS]
        loose = [
            (self.grams, GRAM_WEIGHT, set(tx.bigrams(normal))),
            (self.chars, CHAR_WEIGHT, set(tx.chars(normal))),
        ]
        for bm, weight, tokens in loose:
            for token in tokens:
                part = weight * _scores(bm, token)
                if np.any(part):
                    why[LOOSE + token] = why.get(LOOSE + token, 0) + part
                    total += part
        return total, why

    def _lift_parents(self, total: np.ndarray, why: dict[str, np.ndarray]) -> np.ndarray:
        lifted = total.copy()
        for parent, kids in self.children.items():
            best = max(kids, key=lambda k: total[k])
            if total[best] <= 0:
                continue
            lifted[parent] = max(
                total[parent] + CHILD_SHARE * total[best], PARENT_MARGIN * total[best]
            )
            for vec in why.values():
                vec[parent] = max(vec[parent], vec[best])
        return lifted

    def _hits(self, total, why, limit, kinds) -> list[Hit]:
        order = np.argsort(-total, kind="stable")
        top = total[order[0]] if len(order) else 0
        hits = []
        for n in order:
            if total[n] <= max(top * MIN_RELATIVE, 1e-9) or len(hits) >= limit:
                break
            doc = self.docs[n]
            if doc.kind in kinds:
                hits.append(
                    Hit(doc.code, doc.name, doc.kind, float(total[n]), _why(why, n), doc.onethings)
                )
        return hits


def _weighed(term: Term) -> Term:
    if len(term.token) == 1 and tx.is_han(term.token):
        return Term(term.token, term.weight * SINGLE_CHAR_WEIGHT, term.shown)
    return term


def _patterns(term: str) -> list[re.Pattern]:
    if len(term) < 3:
        return [re.compile(re.escape(term))]
    gapped = ".{0,2}".join(map(re.escape, term))
    # A leading one-character verb may follow its object: 改经营范围 ≈ 经营范围要改.
    swapped = ".{0,2}".join(map(re.escape, term[1:])) + ".{0,3}" + re.escape(term[0])
    return [re.compile(gapped), re.compile(swapped)]


def _inside(span: tuple[int, int], term: str, found: list) -> bool:
    return any(
        len(other) > len(term) and o[0] <= span[0] and span[1] <= o[1] for other, _, o in found
    )


def _why(why: dict[str, np.ndarray], n: int) -> list[str]:
    ranked = sorted(((vec[n], shown) for shown, vec in why.items() if vec[n] > 0), reverse=True)
    words = [shown for _, shown in ranked if not shown.startswith(LOOSE)]
    return (words or [shown.lstrip(LOOSE) for _, shown in ranked])[:5]


def _scores(bm: bm25s.BM25, token: str) -> np.ndarray:
    token_id = bm.vocab_dict.get(token)
    if token_id is None:
        return 0.0
    return bm.get_scores_from_ids([token_id])


def _build_bm25(corpus: list[list[str]]) -> bm25s.BM25:
    if not any(corpus):
        # bm25s refuses a vocabulary with no tokens; a sentinel no query can contain.
        corpus = [["\x00"] for _ in corpus] or [["\x00"]]
    bm = bm25s.BM25()
    bm.index(corpus, show_progress=False)
    return bm
