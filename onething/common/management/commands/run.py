import sys

from django.core.management.base import BaseCommand

from onething.common.supervisor import Program, Supervisor


class Command(BaseCommand):
    help = "启动整个产品：网站（gunicorn）与后台任务进程，由一个监管进程看护（Ctrl-C 同时停止两者）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3, help="网站的 gunicorn 进程数")

    def handle(self, *args, host, port, workers, **opts):
        # Children re-enter through the console entry point's module, with this interpreter, so
        # they see the same environment (DATABASE_URL, ONETHING_VAR_DIR, PYTHONPATH).
        cli = [sys.executable, "-m", "onething.cli"]
        web = [*cli, "serve", "--host", host, "--port", str(port), "--workers", str(workers)]
        code = Supervisor(
            [Program("网站", web), Program("后台任务进程", [*cli, "worker"], restart=True)]
        ).run()
        if code:
            sys.exit(code)
