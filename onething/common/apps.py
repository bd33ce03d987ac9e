from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommonConfig(AppConfig):
    name = "onething.common"
    label = "common"
    verbose_name = "公共服务"

    def ready(self):
        # The audit guard's triggers go back after every migrate (SQLite drops them on a rebuild).
        # No model signal writes audit rows: each service records its own (common.audit.writing).
        from . import audit

        post_migrate.connect(audit.reharden_after_migrate, dispatch_uid="audit.reharden")
