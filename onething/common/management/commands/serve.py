from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "只启动网站（gunicorn；--dev 使用开发服务器）；网站与后台任务进程一起启动用 onething run"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--dev", action="store_true")

    def handle(self, *args, host, port, workers, dev, **opts):
        self.stdout.write(
            f"onething 服务地址：http://{host}:{port}/  （API 文档：http://{host}:{port}/api/docs）"
        )
        if dev:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
            return
        from gunicorn.app.base import BaseApplication

        from onething.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("timeout", 60)
                self.cfg.set("graceful_timeout", 5)
                # One fixed control-socket path per user: two servers on one machine would fight
                # over it, and nothing here uses it.
                self.cfg.set("control_socket_disable", True)
                if settings.DEBUG:
                    self.cfg.set("accesslog", "-")

            def load(self):
                return application

        Server().run()
