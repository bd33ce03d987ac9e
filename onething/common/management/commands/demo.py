import importlib
from itertools import groupby

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Apps contribute demo data in data-flow order through an optional `demo` module
# with `load(*, seed, stdout)` and, for the login list, `users()`.
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
            return self.print_users()
        if action == "generate":
            return self.generate(**opts)
        from onething.accounts.models import User

        if opts["if_empty"] and User.objects.filter(username__startswith="demo_").exists():
            self.stdout.write("演示数据已存在，跳过加载。")
            return
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ONETHING_DEMO=1）下可加载演示数据")
        with transaction.atomic():
            for module in _modules():
                module.load(seed=opts["seed"], stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据加载完成。"))

    def print_users(self):
        from onething.accounts import selectors
        from onething.accounts.constants import Role

        password = settings.ONETHING_DEMO_PASSWORD if settings.DEMO_MODE else "（非演示模式不显示）"
        self.stdout.write(f"\n演示账号（密码均为 {password}），按角色和部门：")
        order = {role: n for n, role in enumerate(Role.values)}
        users = sorted(
            selectors.demo_users(),
            key=lambda u: (order.get(u.role, 99), u.department_id is None,
                           u.department.code if u.department else "", u.id),
        )  # fmt: skip
        for role, members in groupby(users, key=lambda u: u.role):
            self.stdout.write(f"\n{Role(role).label}")
            for where, group in groupby(members, key=_place):
                self.stdout.write(f"  {where}")
                for user in group:
                    self.stdout.write(f"    {user.username:<34} {user.display_name}")
        self.stdout.write("")

    def generate(self, *, persons, entities, out, seed, **_):
        from onething.registry import demo as registry_demo

        summary = registry_demo.generate(persons=persons, entities=entities, out_dir=out, seed=seed)
        self.stdout.write(f"已生成：{summary}")


def _place(user) -> str:
    """Where an account works: its department, else its region."""
    if user.department:
        return user.department.name
    return user.region.name if user.region else "（不限地区）"
