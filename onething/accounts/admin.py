from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from onething.common import audit
from onething.common.errors import Forbidden
from onething.common.models import AuditAnchor, AuditRecord, Job, Outbox
from onething.common.security import mask_email, mask_phone

from . import otp_labels, services
from .constants import ADMIN_ROLES
from .models import ApiToken, Department, DepartmentKind, LoginAttempt, LoginLockout, Region, User

# Permissions follow the role (roles.py) and nothing else: no form grants them directly.
FIXED_FIELDS = [
    "is_superuser",
    "is_staff",
    "groups",
    "user_permissions",
    "password_change_required",
]


class PasswordResetForm(AdminPasswordChangeForm):
    """The admin's "set password" page: a reset, with what a reset entails (services)."""

    def save(self, commit=True):
        # The audit rows name the signed-in administrator (request context); the view checked
        # that they may do this before the form was even built.
        user = super().save(commit=False)
        services.credentials_reset_apply(user=user)
        return user


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
    change_password_form = PasswordResetForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj)) + FIXED_FIELDS
        if services.account_manage_refusal(actor=request.user, user=obj):
            fields.append("role")
        return fields

    def get_fieldsets(self, request, obj=None):
        sections = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return sections
        # A read-only view offers no 重置密码 link that would only lead to a refusal.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "password"]})
            for name, opts in sections
        ]

    def has_change_permission(self, request, obj=None):
        # 三权分立: nobody changes an administrator's account (theirs included) in the admin.
        if obj is not None and services.account_manage_refusal(actor=request.user, user=obj):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [c for c in db_field.choices if c[0] not in ADMIN_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.password_change_required = True  # the holder replaces what the admin typed
        if change and "role" in form.changed_data:
            new_role, obj.role = obj.role, form.initial["role"]
            super().save_model(request, obj, form, change)
            services.user_set_role(user=obj, role=new_role, actor=request.user)
            return
        super().save_model(request, obj, form, change)
        if not change:
            services.role_permissions_apply(user=obj)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None:
            try:
                services.account_manage_check(
                    actor=request.user, user=user, action="password.reset"
                )
            except Forbidden as exc:
                raise PermissionDenied(str(exc)) from exc
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

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
        own = f"{obj.object_type}#{obj.object_id}" if obj.object_type else obj.object_id
        others = sum(len(pks) for pks in (obj.detail or {}).get("objects", {}).values())
        return f"{own}（另 {others} 个对象，见详情）" if others else own


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAuditAdmin):
    list_display = ["last_seq", "first_seq", "count", "file_name", "created_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The system administrator watches the queue here; the worker alone changes it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "status", "attempts", "run_after", "locked_until", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["name", "dedup_key"]
    date_hierarchy = "created_at"


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    """Delivery state only: the recipient is masked and the text is not shown (personal data)."""

    list_display = ["id", "channel", "recipient", "created_at", "sent_at"]
    list_filter = ["channel"]
    fields = ["channel", "recipient", "dedup_key", "created_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description="接收方（脱敏）")
    def recipient(self, obj):
        return mask_email(obj.to) if "@" in (obj.to or "") else mask_phone(obj.to)


class TOTPDeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = ["user", "name", "confirmed"]  # the admin sets them from its fieldsets
        # The admin shows these for read-only fields too (django-otp's own are English).
        help_texts = otp_labels.HELP_TEXTS


class GuardedTOTPDeviceAdmin(TOTPDeviceAdmin):
    """The security administrator resets a lost second factor, but never an administrator's
    (三权分立); nobody sees a device's key or QR code (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    Chinese help texts, section titles and search hint: see otp_labels."""

    form = TOTPDeviceForm
    search_help_text = otp_labels.SEARCH_HELP

    def get_fieldsets(self, request, obj=None):
        sections = super().get_fieldsets(request, obj)
        return [(otp_labels.SECTIONS.get(title, title), fields) for title, fields in sections]

    def _refused(self, request, obj) -> bool:
        return obj is not None and bool(
            services.account_manage_refusal(actor=request.user, user=obj.user)
        )

    def has_change_permission(self, request, obj=None):
        return not self._refused(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._refused(request, obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one device at a time, each checked
        return actions


# Importing django_otp's admin above registered its own; this one replaces it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, GuardedTOTPDeviceAdmin)
