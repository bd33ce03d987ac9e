import signal

from django.core.management.base import BaseCommand

from onething.common import jobs


class Command(BaseCommand):
    help = (
        "后台任务进程：领取并执行任务，直到收到 SIGTERM/Ctrl-C（执行完手头的任务再退出）；"
        "--once 只执行一轮有上限的任务并报告各类任务的数量"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行一轮后退出")
        parser.add_argument("--max-jobs", type=int, default=100, help="--once 一轮最多执行的任务数")
        parser.add_argument(
            "--max-seconds", type=float, default=60.0, help="--once 一轮最长时间（秒）"
        )
        parser.add_argument("--poll", type=float, default=1.0, help="空闲时查询间隔（秒）")

    def handle(self, *args, once, max_jobs, max_seconds, poll, **opts):
        if once:
            self._once(max_jobs=max_jobs, max_seconds=max_seconds)
            return
        stopping = []

        def stop(signum, frame):
            if stopping:  # asked twice: stop now; the job's lease lets a worker run it again
                raise KeyboardInterrupt
            stopping.append(signum)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        self.stdout.write("后台任务进程已启动", ending="\n")
        self.stdout.flush()
        jobs.work_forever(poll=poll, stop=lambda: bool(stopping))
        self.stdout.write("后台任务进程已停止")

    def _once(self, *, max_jobs: int, max_seconds: float) -> None:
        report = jobs.run_pass(max_jobs=max_jobs, max_seconds=max_seconds)
        self.stdout.write(f"本轮执行 {report.total} 个任务，用时 {report.seconds:.1f} 秒")
        for name in sorted(report.done.keys() | report.failed.keys()):
            failed = report.failed[name]
            note = f"（失败 {failed}）" if failed else ""
            took = report.took[name]
            self.stdout.write(f"  {name}: {report.done[name] + failed} 个{note}，{took:.1f} 秒")
        if report.left:
            self.stdout.write(f"仍有 {report.left} 个到期任务排队，下一轮继续")
