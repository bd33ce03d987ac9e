import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onething.assistant import evaluation, selectors


class Command(BaseCommand):
    help = '智能导办：ask "问题" [--format json] | eval [--file F] [--misses] | info'

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ask = sub.add_parser("ask")
        ask.add_argument("question")
        ask.add_argument("--format", choices=["json", "text"], default="text")
        ask.add_argument("--limit", type=int, default=10)
        ev = sub.add_parser("eval")
        ev.add_argument("--file", default=str(evaluation.DEFAULT_FILE))
        ev.add_argument("--misses", action="store_true", help="列出未排第一的问题")
        sub.add_parser("info")

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_ask(self, question, format, limit, **_):
        results = [h.as_dict() for h in selectors.search(question, limit=max(1, min(limit, 50)))]
        if format == "json":
            self.stdout.write(json.dumps({"results": results}, ensure_ascii=False, indent=1))
            return
        if not results:
            self.stdout.write("没有找到相关事项。可拨打 12345 政务服务便民热线咨询。")
        for r in results:
            self.stdout.write(
                f"{r['score']:>8.3f}  {r['kind']:<8} {r['code']:<32} {r['name']}  ← {'、'.join(r['why'])}"
            )

    def do_eval(self, file, misses, **_):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"评测集不存在：{path}")
        report = evaluation.run(evaluation.load(path))
        if misses:
            for m in report["misses"]:
                self.stdout.write(
                    f"  rank={m['rank']}  {m['q']}  期望 {m['expect']}  得到 {m['got']}"
                )
        self.stdout.write(
            f"questions={report['questions']} hit@1={report['hit@1']:.1%} "
            f"hit@3={report['hit@3']:.1%} MRR={report['mrr']:.3f}"
        )

    def do_info(self, **_):
        self.stdout.write(json.dumps(selectors.index_info(), ensure_ascii=False))
