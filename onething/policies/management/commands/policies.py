"""``onething policies match|explain``: batch policy matching over entity files, no database."""

import sys

from django.core.management.base import BaseCommand, CommandError

from onething.policies import attributes, batch


class Command(BaseCommand):
    help = "批量匹配政策：match 输出符合条件的（实体, 政策）对，explain 解释单个实体"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        match = sub.add_parser("match", help="匹配全部实体与政策，输出 CSV 或 Parquet")
        self._inputs(match)
        match.add_argument(
            "--out", required=True, help="输出 .csv 或 .parquet：entity_id,policy_code"
        )
        match.add_argument("--engine", choices=batch.ENGINES, default="auto")
        match.add_argument(
            "--master", default=batch.SPARK_MASTER, help="Spark master URL（仅 --engine spark）"
        )
        explain = sub.add_parser("explain", help="逐条解释某个实体是否符合每项政策")
        self._inputs(explain)
        explain.add_argument("--entity", required=True, help="实体 id")

    def _inputs(self, parser):
        parser.add_argument("--policies", required=True, help="政策 JSON 数组文件")
        parser.add_argument(
            "--entities", required=True, help="实体 .csv 或 .parquet 文件（含 id 列）"
        )
        parser.add_argument(
            "--schema", help="数据元目录之外的字段声明（YAML/JSON 列表，格式同 data_elements.yaml）"
        )

    def handle(self, *args, **options):
        try:
            declared = attributes.declared(options["schema"])
            policies = batch.load_policies(options["policies"])
            problems = batch.check_policies(policies, declared)
            if problems:
                raise batch.BatchError("政策校验失败：\n" + "\n".join(problems))
            if options["action"] == "match":
                self._match(policies, declared, options)
            else:
                lines = batch.explain_entity(
                    policies, options["entities"], declared, str(options["entity"])
                )
                self.stdout.write("\n".join(lines))
        except (batch.BatchError, attributes.SchemaError) as error:
            raise CommandError(str(error)) from error

    def _match(self, policies, declared, options):
        result = batch.match_files(
            policies,
            options["entities"],
            options["out"],
            declared,
            options["engine"],
            options["master"],
        )
        for code, reason in result.fallbacks:
            self.stderr.write(
                f"政策 {code} 无法用 {result.engine} 批量编译（{reason}），改为逐条求值"
            )
        self.stderr.write(
            f"匹配完成：{result.pairs} 对，{result.entities} 个实体，{len(policies)} 项政策，"
            f"引擎 {result.engine}，用时 {result.seconds:.3f} 秒"
        )
        sys.stderr.flush()
