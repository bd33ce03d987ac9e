import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onething.registry import sealing, services


class Command(BaseCommand):
    help = (
        "电子证照：verify FILE.json（核验下载的签章 JSON）| expire（执行到期提醒）| seal（补签章）"
        "| reseal（旧格式签章换为加盐摘要格式）"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify").add_argument("file")
        sub.add_parser("expire")
        seal = sub.add_parser("seal")
        seal.add_argument("--limit", type=int, default=1000)
        reseal = sub.add_parser("reseal")
        reseal.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, action, **opts):
        if action == "expire":
            self.stdout.write(str(services.expiry_reminders()))
        elif action == "seal":
            self.stdout.write(f"已签章 {services.seal_pending(limit=opts['limit'])} 张")
        elif action == "reseal":
            done = services.reseal_plain(limit=opts["limit"])
            self.stdout.write(
                f"已换为加盐摘要签章 {done['resealed']} 张；原签章核验未通过、未重签 {done['refused']} 张"
            )
        else:
            self.verify(opts["file"])

    def verify(self, file):
        try:
            doc = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取证照文件：{exc}") from exc
        verdict = sealing.verify_document(doc)
        ident = (doc.get("license") or {}).get("identifier", "") if isinstance(doc, dict) else ""
        if verdict.valid:
            self.stdout.write(
                self.style.SUCCESS(f"有效：{ident}（电子印章验证通过，证照现行有效）")
            )
            return
        for reason in verdict.reasons:
            self.stderr.write(f"- {reason}")
        raise CommandError(f"无效：{ident}")
