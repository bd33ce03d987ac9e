from django.core.management.base import BaseCommand, CommandError

from onething.common import audit


class Command(BaseCommand):
    help = "审计日志：verify [--no-archives] | seal | archive [--days N] | head | harden [--undo]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验哈希链，指出被修改、删除或插入的记录")
        verify.add_argument("--no-archives", action="store_true", help="不校验归档文件")
        sub.add_parser("seal", help="把尚未入链的记录加入哈希链")
        archive = sub.add_parser("archive", help="把超过保存期的记录移入压缩归档文件")
        archive.add_argument("--days", type=int, help="保存天数（默认取配置，至少 183 天）")
        sub.add_parser("head", help="输出链尾序号和摘要，供外部留存比对")
        harden = sub.add_parser(
            "harden", help="重新安装数据库触发器（迁移已安装），禁止修改或删除审计记录"
        )
        harden.add_argument("--undo", action="store_true")

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_verify(self, no_archives=False, **opts):
        report = audit.verify(archives=not no_archives)
        for problem in report.problems:
            self.stderr.write(problem.message)
        summary = (
            f"已校验 {report.checked} 条（其中归档 {report.archived} 条）；"
            f"链尾 #{report.head_seq} {report.head_hash}"
        )
        if not report.ok:
            raise CommandError(f"审计链校验未通过：{len(report.problems)} 处问题。{summary}")
        self.stdout.write(self.style.SUCCESS(f"审计链完整。{summary}"))

    def do_seal(self, **opts):
        self.stdout.write(f"已入链 {audit.seal()} 条")

    def do_archive(self, days=None, **opts):
        if days is not None and days < 183:
            raise CommandError("审计记录至少保存 183 天（六个月）")
        before = None
        if days is not None:
            from datetime import timedelta

            from django.utils import timezone

            before = timezone.now() - timedelta(days=days)
        try:
            result = audit.archive(before=before)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if result is None:
            self.stdout.write("没有超过保存期的记录。")
            return
        self.stdout.write(
            f"已归档第 {result.first_seq}–{result.last_seq} 条（{result.count} 条）到 {result.path}"
        )

    def do_head(self, **opts):
        seq, digest = audit.head()  # the sealed chain's head; rows wait for the worker's seal
        self.stdout.write(f"{seq} {digest}")

    def do_harden(self, undo=False, **opts):
        audit.harden(undo=undo)
        self.stdout.write("已移除审计表保护触发器。" if undo else "已安装审计表保护触发器。")
