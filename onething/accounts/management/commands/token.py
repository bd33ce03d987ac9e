from django.core.management.base import BaseCommand, CommandError

from onething.accounts import services
from onething.accounts.models import User


class Command(BaseCommand):
    help = "API 令牌：create USER [--days N] | revoke PREFIX"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=90)
        create.add_argument("--name", default="cli")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **opts):
        if action == "create":
            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"用户不存在：{opts['username']}")
            key = services.token_create(user=user, name=opts["name"], days=opts["days"] or None)
            self.stdout.write(key)
            return
        from onething.accounts.models import ApiToken

        token = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True).first()
        if token is None:
            raise CommandError(f"没有有效的令牌：{opts['prefix']}")
        services.token_revoke(token=token)
        self.stdout.write(f"已吊销：{opts['prefix']}")
