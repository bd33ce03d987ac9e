from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "首次运行的准备（make run 所用）：迁移数据库，数据库为空时加载演示数据，打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="只迁移，不加载演示数据")

    def handle(self, *args, no_demo, **opts):
        # One process for the three steps: each `onething …` process pays ~3 s of start-up.
        self.say("迁移数据库…")
        call_command("migrate", interactive=False, verbosity=0)
        if no_demo:
            return
        self.say("加载演示数据（仅首次：行政区划、目录、人口库与法人库、政策、演示账号）…")
        call_command("demo", "load", "--if-empty", stdout=self.stdout)
        call_command("demo", "users", stdout=self.stdout)

    def say(self, text: str) -> None:
        self.stdout.write(f"==> {text}")
        self.stdout.flush()
