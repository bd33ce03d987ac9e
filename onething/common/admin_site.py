"""The admin site: every add, change and delete made through it is a service write too.

With no model signal, the admin's writes are audited here: each registered ``ModelAdmin`` gets
``AuditedAdmin`` mixed in, which records the event and the audit row next to Django's own
``LogEntry`` (inside the admin view's transaction).
"""

from django.contrib import admin

from .events import record_event


class AuditedAdmin:
    def log_addition(self, request, obj, message):
        record_event(actor=request.user, verb="admin.added", obj=obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        parts = message if isinstance(message, list) else []
        fields = sorted({f for m in parts for f in m.get("changed", {}).get("fields", [])})
        record_event(actor=request.user, verb="admin.changed", obj=obj, data={"fields": fields})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        rows = list(queryset)
        if rows:
            record_event(actor=request.user, verb="admin.deleted", obj=rows[0], objects=rows[1:])
        return super().log_deletions(request, queryset)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(base.__name__, (AuditedAdmin, base), {"__module__": base.__module__})
        return super().register(model_or_iterable, base, **options)
