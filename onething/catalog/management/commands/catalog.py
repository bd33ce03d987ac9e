import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onething.catalog import exporter, loader, selectors, services
from onething.catalog.compiler import CompileError
from onething.catalog.models import OneThing
from onething.common.errors import DomainError


class Command(BaseCommand):
    help = "一件事目录：list | show CODE | import PATH | export PATH | validate PATH | fmt PATH | advance CODE STATUS"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list")
        ls.add_argument("--format", choices=["json", "table"], default="table")
        show = sub.add_parser("show")
        show.add_argument("code")
        show.add_argument("--format", choices=["json"], default="json")
        show.add_argument("--answers", default="{}")
        show.add_argument("--version", type=int)
        for name in ("import", "validate", "fmt"):
            p = sub.add_parser(name)
            p.add_argument("path", nargs="?", default=str(settings.CATALOG_DIR))
        exp = sub.add_parser("export")
        exp.add_argument("path")
        adv = sub.add_parser("advance")
        adv.add_argument("code")
        adv.add_argument("status")

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_list(self, format, **_):
        rows = selectors.summaries()
        if format == "json":
            # Each figure with before, after, percent and why it falls short of the target.
            out = [
                {**{k: v for k, v in r.items() if k != "figures"}, "reductions": r["figures"]}
                for r in rows
            ]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        for r in rows:
            red = r["reductions"]
            flag = "" if r["meets_target"] else "  ⚠ 未达50%：" + ",".join(r["shortfalls"])
            self.stdout.write(
                f"{r['code']:<28} {r['name']:<16} v{r['version']} {r['status']} 事项{r['item_count']} 部门{r['department_count']} "
                f"时间-{red['time']}% 材料-{red['materials']}% 环节-{red['steps']}% 跑动-{red['visits']}%{flag}"
            )
        plan = selectors.catalog_plan(rows)
        avg = plan["averages"]
        self.stdout.write(
            f"共 {plan['count']} 个一件事，平均压减：时间 {avg['time']}%、材料 {avg['materials']}%、"
            f"环节 {avg['steps']}%、跑动 {avg['visits']}%（目标：时间、材料各 ≥{plan['target']}%）；"
            f"未达标 {len(plan['short'])} 个"
        )
        for s in plan["short"]:
            self.stdout.write(f"  ⚠ {s['name']}（{s['code']}）：" + "；".join(s["reasons"]))

    def do_show(self, code, answers, version=None, **_):
        found = selectors.version_get(code, version) if version else selectors.version_latest(code)
        if found is None:
            raise CommandError(f"一件事不存在：{code}")
        try:
            bp = selectors.blueprint(found, json.loads(answers))
        except json.JSONDecodeError as exc:
            raise CommandError("--answers 不是合法的 JSON") from exc
        except CompileError as exc:
            raise CommandError(f"{exc.message}：{exc.fields}") from exc
        self.stdout.write(json.dumps(bp, ensure_ascii=False, indent=1))

    def do_validate(self, path, **_):
        _, docs, problems = services.catalog_check(path=Path(path))
        self._report(problems)
        self.stdout.write(f"目录有效：{ {k: len(v) for k, v in docs.items()} }")

    def do_import(self, path, **_):
        try:
            counts = services.catalog_import(path=Path(path))
        except loader.CatalogInvalid as exc:
            self._report(exc.problems)
        self.stdout.write(f"已导入：{counts}")

    def do_export(self, path, **_):
        written = services.catalog_export(path=Path(path))
        self.stdout.write(f"已导出 {len(written)} 个文件到 {path}")

    def do_fmt(self, path, **_):
        files = loader.read_catalog(Path(path))
        problems = loader.validate_catalog(files)
        self._report(problems)
        written = exporter.write_tree(
            Path(path), exporter.render_files(exporter.docs_from_files(files))
        )
        self.stdout.write(f"已规范化 {len(written)} 个文件")

    def do_advance(self, code, status, **_):
        ot = OneThing.objects.filter(code=code).first()
        if ot is None:
            raise CommandError(f"一件事不存在：{code}")
        try:
            services.onething_advance(onething=ot, to=status)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{ot.name} 已进入“{status}”阶段")

    def _report(self, problems):
        if problems:
            for p in problems:
                self.stderr.write(str(p))
            raise CommandError(f"目录文件有 {len(problems)} 处错误，未导入任何内容")
