import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Apps contribute demo data in data-flow order through an optional `demo` module with
# `load(*, seed, stdout)`; common sits below every app, so it reaches them only this way.
# accounts' module also answers `loaded()` and `users_print(stdout)`; registry's `generate(...)`.
DEMO_APPS = [
    "accounts",
    "catalog",
    "registry",
    "cases",
    "policies",
    "assistant",
    "feedback",
    "supervision",
    "integration",
]


def _module(app: str):
    return importlib.import_module(f"onething.{app}.demo")


def _modules():
    for app in DEMO_APPS:
        try:
            yield importlib.import_module(f"onething.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"onething.{app}.demo":
                raise


class Command(BaseCommand):
    help = "演示数据：load [--if-empty] [--seed N] | users"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load")
        load.add_argument("--if-empty", action="store_true", help="已有数据时跳过")
        load.add_argument("--seed", type=int, default=2026)
        sub.add_parser("users")
        gen = sub.add_parser(
            "generate", help="为基准测试生成大规模合成人口、经营主体（CSV + Parquet）"
        )
        gen.add_argument("--persons", type=int, default=1_000_000)
        gen.add_argument("--entities", type=int, default=200_000)
        gen.add_argument("--out", required=True)
        gen.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, action, **opts):
        if action == "users":
            return _module("accounts").users_print(self.stdout)
        if action == "generate":
            return self.generate(**opts)
        if opts["if_empty"] and _module("accounts").loaded():
            self.stdout.write("演示数据已存在，跳过加载。")
            return
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ONETHING_DEMO=1）下可加载演示数据")
        # Every app's load is idempotent: a second run re-reads the catalog, adds the accounts of
        # departments it gained, and leaves the data already loaded as it is.
        again = _module("accounts").loaded()
        with transaction.atomic():
            for module in _modules():
                module.load(seed=opts["seed"], stdout=self.stdout)
        done = "演示数据已存在，未重复导入。" if again else "演示数据加载完成。"
        self.stdout.write(self.style.SUCCESS(done))

    def generate(self, *, persons, entities, out, seed, **_):
        summary = _module("registry").generate(
            persons=persons, entities=entities, out_dir=out, seed=seed
        )
        self.stdout.write(f"已生成：{summary}")
