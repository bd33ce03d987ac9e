"""The system administrator's pages: connected systems (secrets write-only) and the outbox
operator page (inspect, replay, cancel deliveries)."""

from django import forms
from django.contrib import admin, messages

from onething.common.errors import DomainError

from . import services
from .models import Delivery, Inbound, Link, System

SECRETS = ("secret", "signing_key", "token")


class SystemForm(forms.ModelForm):
    """Secrets are typed in, never shown back: an empty box keeps the stored value."""

    secret = forms.CharField(
        label="回调验签密钥",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="部门系统签名回调所用密钥（whsec_…）。留空则保持不变，保存后不再显示。",
    )
    signing_key = forms.CharField(
        label="推送签名密钥",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="平台签名推送消息所用密钥。留空则保持不变；新建时留空将自动生成，并只显示一次。",
    )
    token = forms.CharField(
        label="访问凭据",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="调用部门系统时附带的 Bearer 令牌（如需）。留空则保持不变。",
    )

    class Meta:
        model = System
        fields = [
            "code",
            "name",
            "department_kind",
            "region",
            "base_url",
            "items",
            "can_push",
            "can_poll",
            "can_status",
            "secret",
            "signing_key",
            "token",
            "active",
        ]

    def clean_items(self):
        items = self.cleaned_data.get("items") or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise forms.ValidationError('应为事项编码的列表，如 ["market-food-license"]')
        return items

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("secret"):
            self.add_error("secret", "新建系统必须填写回调验签密钥")
        return data


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    form = SystemForm
    list_display = [
        "code",
        "name",
        "department_kind",
        "region",
        "active",
        "unreachable_since",
        "last_ok_at",
        "reconciled_at",
    ]
    list_filter = ["active", "department_kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["unreachable_since", "last_ok_at", "reconciled_at"]

    def save_model(self, request, obj, form, change):
        generated = ""
        for name in SECRETS:
            typed = form.cleaned_data.get(name)
            if typed:
                setattr(obj, name, typed)
            elif change:
                setattr(obj, name, System.objects.values_list(name, flat=True).get(pk=obj.pk))
        if not obj.signing_key:
            obj.signing_key = generated = services.signing.new_secret()
        services.system_save(actor=request.user, system=obj, changed=list(form.changed_data))
        if generated:
            messages.warning(
                request, f"已生成推送签名密钥（仅显示这一次，请交给部门系统）：{generated}"
            )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "system",
        "case_number",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "link__system"]
    readonly_fields = [
        "link",
        "kind",
        "dedup_key",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "locked_until",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    actions = ["replay", "cancel"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="系统")
    def system(self, obj):
        return obj.link.system.code

    @admin.display(description="办件")
    def case_number(self, obj):
        return (obj.body.get("data") or {}).get("case", {}).get("number", "")

    def _each(self, request, queryset, fn, done: str):
        count = 0
        for d in queryset:
            try:
                fn(delivery_id=d.pk, actor=request.user)
                count += 1
            except DomainError as exc:
                messages.error(request, f"{d.pk}：{exc.message}")
        if count:
            messages.success(request, f"{done} {count} 条消息")

    @admin.action(description="重新投递所选消息", permissions=["change"])
    def replay(self, request, queryset):
        self._each(request, queryset, services.delivery_replay, "已重新排队")

    @admin.action(description="取消所选消息", permissions=["change"])
    def cancel(self, request, queryset):
        self._each(request, queryset, services.delivery_cancel, "已取消")


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "system",
        "remote_status",
        "last_seq",
        "last_heard_at",
        "handed_back",
        "mismatch",
    ]
    list_filter = ["system", "remote_status", "handed_back"]
    readonly_fields = [f.name for f in Link._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inbound)
class InboundAdmin(admin.ModelAdmin):
    list_display = ["received_at", "system", "event_id", "link", "seq", "outcome", "status", "note"]
    list_filter = ["system", "outcome", "status"]
    exclude = ["data"]
    readonly_fields = [
        "system",
        "event_id",
        "link",
        "seq",
        "outcome",
        "status",
        "note",
        "received_at",
        "applied_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
