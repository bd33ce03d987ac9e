"""Offline evaluation: hit@1, hit@3 and MRR of the one-thing ranking on a labelled set."""

from pathlib import Path

import yaml
from django.conf import settings

from . import selectors

DEFAULT_FILE = Path(settings.DATA_DIR) / "assistant" / "eval.yaml"


def load(path: Path = DEFAULT_FILE) -> list[dict]:
    rows = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    return [{"q": str(r["q"]), "expect": str(r["expect"])} for r in rows]


def ranked_onethings(question: str, limit: int = 10) -> list[str]:
    """The one-things a question leads to, in order (items and one-classes count for their owners)."""
    out: list[str] = []
    for hit in selectors.search(question, limit=limit * 3):
        out += [code for code in hit.onethings if code not in out]
    return out[:limit]


def run(rows: list[dict]) -> dict:
    ranks = []
    misses = []
    for row in rows:
        got = ranked_onethings(row["q"])
        rank = got.index(row["expect"]) + 1 if row["expect"] in got else None
        ranks.append(rank)
        if rank != 1:
            misses.append({**row, "rank": rank, "got": got[:3]})
    return {**_figures(ranks), "misses": misses}


def _figures(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
        "questions": len(ranks),
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@3": sum(1 for r in ranks if r and r <= 3) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }
