"""Admin: staff enter a policy one clause at a time; saving writes a new immutable version.

The eligibility textarea is validated live (htmx → ``policies:rule_check``) and can be tried
against one holder by ID number or credit code (``policies:rule_test``).
"""

import json

from django import forms
from django.contrib import admin, messages

from onething.common.errors import DomainError

from . import services
from .models import Grant, GrantBatch, Policy, PolicyMatch, PolicyRun, PolicyVersion
from .rules import CONTENT

JSON_FIELDS = ("tags", "eligibility", "benefit", "confirmations")


class PolicyForm(forms.ModelForm):
    title = forms.CharField(label="名称", max_length=200)
    summary = forms.CharField(
        label="通俗说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    department = forms.CharField(label="发布部门", max_length=128)
    department_kind = forms.CharField(label="部门类别编码", required=False)
    source = forms.CharField(label="政策文件", max_length=300)
    clause = forms.CharField(label="条款", required=False)
    tags = forms.CharField(label="标签（JSON 数组）", initial="[]", required=False)
    valid_from = forms.DateField(label="生效日期", required=False)
    valid_until = forms.DateField(label="失效日期", required=False)
    eligibility = forms.CharField(
        label="享受条件（JsonLogic）",
        widget=forms.Textarea(attrs={"rows": 12, "class": "rule-editor"}),
    )
    benefit = forms.CharField(
        label="待遇金额（JsonLogic，可空）",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    benefit_text = forms.CharField(label="待遇说明", required=False)
    confirmations = forms.CharField(label="须确认事项（JSON 数组）", initial="[]", required=False)

    class Meta:
        model = Policy
        fields = ["code", "subject", "category", "mode", "recurrence", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.current if self.instance.pk else None
        for name in CONTENT if current else ():
            value = getattr(current, name)
            self.initial[name] = (
                json.dumps(value, ensure_ascii=False, indent=1) if name in JSON_FIELDS else value
            )

    def clean(self):
        data = super().clean()
        for name in JSON_FIELDS:
            text = (data.get(name) or "").strip()
            try:
                data[name] = (
                    json.loads(text)
                    if text
                    else ([] if name in ("tags", "confirmations") else None)
                )
            except json.JSONDecodeError as error:
                self.add_error(name, f"JSON 格式错误：第 {error.lineno} 行，{error.msg}")
        return data


class VersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "title", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ("code", "title", "subject", "category", "mode", "active")
    list_filter = ("subject", "category", "mode", "active")
    search_fields = ("code", "current__title")
    inlines = [VersionInline]
    change_form_template = "admin/policies/policy/change_form.html"

    @admin.display(description="名称")
    def title(self, obj):
        return obj.current.title if obj.current else ""

    def save_model(self, request, obj, form, change):
        data = {**form.cleaned_data}
        for name in ("valid_from", "valid_until"):
            data[name] = data[name].isoformat() if data.get(name) else None
        try:
            version = services.policy_save(data=data, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            obj.pk = Policy.objects.filter(code=data["code"]).values_list("pk", flat=True).first()
            return
        obj.pk = version.policy_id
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Versions are written by the service only."""


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("policy", "number", "title", "created_at")
    readonly_fields = [f.name for f in PolicyVersion._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PolicyRun)
class PolicyRunAdmin(admin.ModelAdmin):
    list_display = ("id", "policy", "kind", "period", "status", "created_at")
    list_filter = ("kind", "status")


@admin.register(GrantBatch)
class GrantBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "policy", "period", "status", "beneficiaries", "total_amount")
    list_filter = ("status",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("id", "policy", "holder_name", "period", "amount", "status")
    list_filter = ("status", "period")
    search_fields = ("holder_name", "holder_key")


@admin.register(PolicyMatch)
class PolicyMatchAdmin(admin.ModelAdmin):
    list_display = ("policy", "holder_name", "region_code", "matched_at")
    search_fields = ("holder_name",)
