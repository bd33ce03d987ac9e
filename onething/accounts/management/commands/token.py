from django.core.management.base import BaseCommand, CommandError

from onething.accounts import services
from onething.accounts.management.commands.account import console_actor
from onething.accounts.models import ApiToken, User
from onething.common.errors import DomainError
from onething.common.security import reset_actor, set_actor


class Command(BaseCommand):
    help = f"API 令牌：create USER [--days N（1–{services.TOKEN_MAX_DAYS}）] | revoke PREFIX"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=90)
        create.add_argument("--name", default="cli")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **opts):
        # The operator at the console is who creates or revokes, not the token's holder.
        actor = console_actor()
        context = set_actor(actor)
        try:
            if action == "create":
                self.create(actor, **opts)
            else:
                self.revoke(actor, **opts)
        except DomainError as exc:
            raise CommandError("；".join([exc.message, *exc.fields.values()])) from exc
        finally:
            reset_actor(context)

    def create(self, actor, *, username, days, name, **opts):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        key = services.token_create(user=user, name=name, days=days, actor=actor)
        self.stdout.write(key)

    def revoke(self, actor, *, prefix, **opts):
        token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
        if token is None:
            raise CommandError(f"没有有效的令牌：{prefix}")
        services.token_revoke(token=token, actor=actor)
        self.stdout.write(f"已吊销：{prefix}")
