from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from onething.common import audit
from onething.common.models import AuditAnchor, AuditRecord

from . import services
from .constants import Role
from .models import ApiToken, Department, DepartmentKind, LoginAttempt, LoginLockout, Region, User

PRIVILEGE_FIELDS = ["role", "is_superuser", "is_staff", "groups", "user_permissions"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(DepartmentKind)
class DepartmentKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "suffix"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "region", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "政务角色",
            {
                "fields": [
                    "role",
                    "display_name",
                    "department",
                    "region",
                    "id_number",
                    "credit_code",
                ]
            },
        ),
    )
    autocomplete_fields = ["department", "region"]
    search_fields = ["username", "display_name"]

    def get_readonly_fields(self, request, obj=None):
        # Only the security administrator grants privileges, and never to themself.
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.role != Role.SECADMIN or (obj is not None and obj.pk == request.user.pk):
            fields += PRIVILEGE_FIELDS
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "role" in form.changed_data or not change:
            services.role_permissions_apply(user=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: the audit trail refers to them

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        if request.method == "GET" and user is not None and user.id_number:
            audit.sensitive_read(actor=request.user, object=user, what="id_number")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "role", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "role", "prefix", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are made with `onething token create`, shown once

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.token_revoke(token=token, actor=request.user)


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    list_display = ["key", "until", "failures", "created_at"]
    readonly_fields = ["key", "until", "failures", "created_at"]
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="提前解除锁定")
    def unlock(self, request, queryset):
        from . import lockout

        for key in set(queryset.values_list("key", flat=True)):
            lockout.unlock(key=key, actor=request.user)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "username", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    """Audit data is read in the admin by the audit administrator; nobody may change it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # superusers included

    def get_actions(self, request):
        return {}


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAuditAdmin):
    list_display = ["seq", "created_at", "category", "action", "result", "actor", "ip", "target"]
    list_filter = ["category", "result", "action"]
    search_fields = ["actor", "action", "object_type", "object_id", "ip"]
    date_hierarchy = "created_at"

    @admin.display(description="对象")
    def target(self, obj):
        return f"{obj.object_type}#{obj.object_id}" if obj.object_type else obj.object_id


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAuditAdmin):
    list_display = ["last_seq", "first_seq", "count", "file_name", "created_at"]
