"""``onething policies match|explain``: batch policy matching over CSV files, no database."""

import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from onething.policies import batch


class Command(BaseCommand):
    help = "批量匹配惠企政策：match 输出符合条件的（实体, 政策）对，explain 解释单个实体"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        match = sub.add_parser("match", help="匹配全部实体与政策，输出 CSV")
        self._inputs(match)
        match.add_argument("--out", required=True, help="输出 CSV：entity_id,policy_code")
        match.add_argument("--engine", choices=batch.ENGINES, default="auto")
        explain = sub.add_parser("explain", help="逐条解释某个实体是否符合每项政策")
        self._inputs(explain)
        explain.add_argument("--entity", required=True, help="实体 id")

    def _inputs(self, parser):
        parser.add_argument("--policies", required=True, help="政策 JSON 数组文件")
        parser.add_argument("--entities", required=True, help="实体 CSV 文件（含 id 列）")

    def handle(self, *args, **options):
        try:
            policies, table = self._load(options)
            if options["action"] == "match":
                self._match(policies, table, options)
            else:
                lines = batch.explain_entity(policies, table, str(options["entity"]))
                self.stdout.write("\n".join(lines))
        except batch.BatchError as error:
            raise CommandError(str(error)) from error

    def _load(self, options):
        policies = batch.load_policies(options["policies"])
        table = batch.load_entities(options["entities"])
        problems = batch.check_policies(policies, table.types)
        if problems:
            raise batch.BatchError("政策校验失败：\n" + "\n".join(problems))
        return policies, table

    def _match(self, policies, table, options):
        result = batch.match(policies, table, options["engine"])
        for code, reason in result.fallbacks:
            self.stderr.write(
                f"政策 {code} 无法用 {result.engine} 批量编译（{reason}），改为逐条求值"
            )
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["entity_id", "policy_code"])
            writer.writerows(result.pairs)
        self.stderr.write(
            f"匹配完成：{len(result.pairs)} 对，{len(table)} 个实体，{len(policies)} 项政策，"
            f"引擎 {result.engine}，用时 {result.seconds:.3f} 秒"
        )
        sys.stderr.flush()
