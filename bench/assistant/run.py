"""Assistant search benchmark: index build time, p50/p95 latency per query, queries per second.

    python bench/assistant/run.py [--scale 5000] [--repeat 3] [--seed 7]

Two catalogs: the demo catalog as imported into a throw-away SQLite database (measured through
the same selector the API uses, fingerprint check included), and the same documents plus
synthetic service items up to --scale, built in memory. Queries are the labelled set in
data/assistant/eval.yaml.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("ONETHING_VAR_DIR", tempfile.mkdtemp(prefix="assistant-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from onething.assistant import evaluation, selectors, sources  # noqa: E402
from onething.assistant.index import Doc, Index  # noqa: E402

VERBS = [
    "登记",
    "备案",
    "许可",
    "核准",
    "变更",
    "注销",
    "补贴申领",
    "证明开具",
    "资格认定",
    "信息查询",
]
SUBJECTS = [
    "道路",
    "水利",
    "林业",
    "渔业",
    "文物",
    "广播电视",
    "人防",
    "气象",
    "烟草",
    "档案",
    "粮食",
    "统计",
]
OBJECTS = ["设施", "工程", "经营", "从业人员", "资质", "场所", "项目", "产品", "设备", "服务机构"]
MATERIALS = ["申请书", "身份证明", "场所证明", "技术方案", "检测报告", "承诺书", "合同", "图纸"]


def load_demo() -> None:
    call_command("migrate", verbosity=0)
    from onething.accounts.services import regions_load
    from onething.catalog.services import catalog_import

    regions_load()
    catalog_import(path=settings.CATALOG_DIR)


def synthetic(docs: list[Doc], total: int, seed: int) -> list[Doc]:
    rng = random.Random(seed)
    owners = [d.code for d in docs if d.kind == "onething"]
    out = list(docs)
    for n in range(max(0, total - len(docs))):
        name = rng.choice(SUBJECTS) + rng.choice(OBJECTS) + rng.choice(VERBS)
        out.append(
            Doc(
                code=f"synthetic-{n}",
                name=name,
                kind="item",
                title=[name],
                body=[f"申请人应当符合{name}的有关规定"],
                detail=rng.sample(MATERIALS, 3),
                onethings=(rng.choice(owners),),
            )
        )
    return out


def timed(search, queries: list[str], repeat: int) -> dict:
    for q in queries[:20]:
        search(q)  # warm caches (pinyin, blueprint) the way a running server would have them
    laps = []
    started = time.perf_counter()
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            search(q)
            laps.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(laps, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "qps": len(laps) / elapsed, "n": len(laps)}


def build_seconds(docs: list[Doc], synonyms) -> float:
    started = time.perf_counter()
    Index(docs, synonyms)
    return time.perf_counter() - started


def report(label: str, build: float, figures: dict) -> None:
    print(
        f"{label:<28} build {build * 1000:7.0f} ms   p50 {figures['p50']:6.2f} ms   "
        f"p95 {figures['p95']:6.2f} ms   {figures['qps']:7.0f} q/s   ({figures['n']} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    load_demo()
    queries = [r["q"] for r in evaluation.load()]
    docs, synonyms = sources.all_docs(), sources.synonym_groups()
    print(f"queries: {len(queries)} from data/assistant/eval.yaml; documents: {len(docs)} (demo)")
    demo = timed(lambda q: selectors.search(q), queries, args.repeat)
    report("demo catalog (via selector)", build_seconds(docs, synonyms), demo)
    index = Index(docs, synonyms)
    report(
        "demo catalog (index only)",
        build_seconds(docs, synonyms),
        timed(index.search, queries, args.repeat),
    )

    big = synthetic(docs, args.scale, args.seed)
    index = Index(big, synonyms)
    scaled = timed(lambda q: index.search(q), queries, args.repeat)
    report(f"scaled to {len(big)} documents", build_seconds(big, synonyms), scaled)
    goals = demo["p95"] <= 20 and build_seconds(docs, synonyms) <= 2  # the selector path counts
    print(f"goals (p95 ≤ 20 ms on demo, build ≤ 2 s): {'met' if goals else 'NOT met'}")


if __name__ == "__main__":
    main()
