import sys

from django.core.management.base import BaseCommand

from onething.common import supervisor


class Command(BaseCommand):
    help = "启动整个产品：网站（gunicorn）与后台任务进程，由一个监管进程看护（Ctrl-C 同时停止两者）"

    def add_arguments(self, parser):
        supervisor.add_arguments(parser)

    def handle(self, *args, host, port, workers, sims, **opts):
        # `onething run` itself goes to supervisor.main without Django (onething.cli); this is the
        # same for `django-admin run` and call_command.
        code = supervisor.Supervisor(
            supervisor.product(host=host, port=port, workers=workers, sims=sims)
        ).run()
        if code:
            sys.exit(code)
