from django.core.management.base import BaseCommand, CommandError

from onething.registry import importing, selectors


class Command(BaseCommand):
    help = "基础库：import persons|entities FILE（CSV 或 JSON，全部校验通过才写入）| stats"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import")
        imp.add_argument("kind", choices=["persons", "entities"])
        imp.add_argument("file")
        sub.add_parser("stats")

    def handle(self, *args, action, **opts):
        if action == "stats":
            for k, v in selectors.counts().items():
                self.stdout.write(f"{k}: {v}")
            return
        try:
            n = importing.import_file(kind=opts["kind"], path=opts["file"])
        except importing.ImportFailed as exc:
            for line in exc.errors[:200]:
                self.stderr.write(line)
            raise CommandError(f"导入失败：{len(exc.errors)} 处错误，未写入任何数据") from exc
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已导入 {n} 条（{opts['kind']}）"))
