"""`onething account`: the server console's door to administrator accounts (三权分立).

The security administrator manages other accounts in the admin site; administrator accounts
(and administrator roles) are managed only here, by whoever operates the server. Passwords
set here are temporary: the holder must change them at first login.
"""

import getpass
import secrets

from django.core.management.base import BaseCommand, CommandError

from onething.accounts import services
from onething.accounts.constants import Role
from onething.accounts.models import User
from onething.common.errors import DomainError
from onething.common.security import Actor, reset_actor, set_actor


def console_actor() -> Actor:
    return Actor(None, f"console:{getpass.getuser()}")


def temporary_password() -> str:
    # token_urlsafe gives letters and digits; the suffix guarantees the policy's classes
    return secrets.token_urlsafe(12) + "-Aa9"


class Command(BaseCommand):
    help = (
        "账号（控制台）：create USERNAME ROLE | role USERNAME ROLE | reset-password USERNAME"
        " | reset-2fa USERNAME"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建账号，输出临时密码（首次登录须修改）")
        create.add_argument("username")
        create.add_argument("role", choices=Role.values)
        create.add_argument("--display-name", default="")
        role = sub.add_parser("role", help="修改账号角色（其 API 令牌随之吊销）")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        reset = sub.add_parser("reset-password", help="重置密码，输出临时密码；吊销令牌并结束会话")
        reset.add_argument("username")
        second = sub.add_parser("reset-2fa", help="删除身份验证器，下次登录时重新绑定")
        second.add_argument("username")

    def handle(self, *args, action, **opts):
        actor = console_actor()
        token = set_actor(actor)
        try:
            getattr(self, "do_" + action.replace("-", "_"))(actor=actor, **opts)
        except DomainError as exc:
            raise CommandError("；".join([exc.message, *exc.fields.values()])) from exc
        finally:
            reset_actor(token)

    def user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user

    def do_create(self, *, actor, username, role, display_name="", **opts):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户已存在：{username}")
        password = temporary_password()
        user = services.user_create(
            username=username, password=password, role=role, display_name=display_name
        )
        services.credentials_reset_apply(user=user, actor=actor)
        self.stdout.write(f"已创建 {username}（{user.get_role_display()}），临时密码：{password}")

    def do_role(self, *, actor, username, role, **opts):
        user = services.user_set_role(user=self.user(username), role=role, actor=actor)
        self.stdout.write(f"{username} 的角色已改为 {user.get_role_display()}")

    def do_reset_password(self, *, actor, username, **opts):
        password = temporary_password()
        services.user_password_reset(user=self.user(username), password=password, actor=actor)
        self.stdout.write(f"{username} 的临时密码：{password}（首次登录须修改）")

    def do_reset_2fa(self, *, actor, username, **opts):
        removed = services.second_factor_reset(user=self.user(username), actor=actor)
        self.stdout.write(f"已删除 {username} 的 {removed} 个身份验证器；下次登录时重新绑定")
