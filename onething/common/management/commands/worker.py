from django.core.management.base import BaseCommand

from onething.common import jobs


class Command(BaseCommand):
    help = "后台任务进程：领取并执行任务（--once 执行完当前到期任务后退出）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--poll", type=float, default=1.0)

    def handle(self, *args, once, poll, **opts):
        if once:
            jobs.discover()
            jobs.enqueue_periodic()
            self.stdout.write(f"已执行 {jobs.run_pending()} 个任务")
            return
        self.stdout.write("worker 已启动")
        jobs.work_forever(poll=poll)
