"""Catalog staff's admin: edit items and one-things, preview the blueprint, move through the five steps."""

import json

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from onething.common.errors import DomainError
from onething.rules import services as rules

from . import compiler, services
from .constants import STATUS_ORDER
from .models import (
    DataElement,
    ItemMaterial,
    LicenseType,
    Material,
    OneClass,
    OneThing,
    OneThingItem,
    OneThingVersion,
    ServiceItem,
    Synonym,
)
from .snapshot import snapshot_from_db


@admin.register(LicenseType)
class LicenseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "issuer", "validity_years"]
    search_fields = ["code", "name"]


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type"]
    list_filter = ["type"]
    search_fields = ["code", "name"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "license_type", "registry_field"]
    search_fields = ["code", "name"]


class ItemMaterialInline(admin.TabularInline):
    model = ItemMaterial
    extra = 0
    autocomplete_fields = ["material"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "kind",
        "legal_days",
        "promised_days",
        "online_level",
        "cross_region",
        "decided_by",
    ]
    list_filter = ["department", "kind", "online_level", "cross_region", "decided_by"]
    search_fields = ["code", "name"]
    inlines = [ItemMaterialInline]


def _rule_problems(rule, where: str = "") -> list[str]:
    # The same check as the importer and every other place that stores a rule.
    return [f"{where}{e.path}：{e.message}" for e in rules.check_stored(rule)]


class OneThingItemForm(forms.ModelForm):
    class Meta:
        model = OneThingItem
        fields = ["item", "when", "when_source", "committed_days", "instant", "order"]

    def clean_when(self):
        rule = self.cleaned_data.get("when")
        problems = _rule_problems(rule) if rule is not None else []
        if problems:
            raise forms.ValidationError(problems)
        return rule


class OneThingForm(forms.ModelForm):
    class Meta:
        model = OneThing
        fields = ["material_rules"]  # the admin adds the others

    def clean_material_rules(self):
        value = self.cleaned_data.get("material_rules") or []
        if not isinstance(value, list):
            raise forms.ValidationError('应为数组：[{"material": 材料编码, "when": 规则}]')
        problems = []
        for n, entry in enumerate(value):
            when = entry.get("when") if isinstance(entry, dict) else None
            problems += _rule_problems(when, f"第 {n + 1} 条 when")
        if problems:
            raise forms.ValidationError(problems)
        return value


class OneThingItemInline(admin.TabularInline):
    model = OneThingItem
    form = OneThingItemForm
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(OneThing)
class OneThingAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "subject",
        "stage",
        "status",
        "problems_column",
        "actions_column",
    ]
    list_filter = ["subject", "stage", "status"]
    search_fields = ["code", "name"]
    form = OneThingForm
    inlines = [OneThingItemInline]
    readonly_fields = ["status"]

    @admin.display(description="校验")
    def problems_column(self, obj):
        problems = services.onething_problems(snapshot=snapshot_from_db(obj))
        return (
            format_html('<span style="color:#c62828">{}</span>', "；".join(problems))
            if problems
            else "通过"
        )

    @admin.display(description="操作")
    def actions_column(self, obj):
        return format_html(
            '<a href="{}">预览蓝图 / 推进阶段</a>',
            reverse("admin:catalog_onething_preview", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<str:code>/preview/",
                self.admin_site.admin_view(self.preview),
                name="catalog_onething_preview",
            ),
            path(
                "<str:code>/advance/",
                self.admin_site.admin_view(self.advance),
                name="catalog_onething_advance",
            ),
            path(
                "<str:code>/publish/",
                self.admin_site.admin_view(self.publish),
                name="catalog_onething_publish",
            ),
        ] + super().get_urls()

    def preview(self, request, code):
        ot = get_object_or_404(OneThing, code=code)
        snapshot = snapshot_from_db(ot)
        answers = {
            q["code"]: request.GET[q["code"]]
            for q in snapshot["questions"]
            if q["code"] in request.GET
        }
        try:
            bp, error = compiler.compile_blueprint(snapshot, answers), None
        except compiler.CompileError as exc:
            bp, error = None, f"{exc.message}：{exc.fields}" if exc.fields else exc.message
        position = STATUS_ORDER.index(ot.status)
        context = {
            **self.admin_site.each_context(request),
            "title": f"预览蓝图：{ot.name}",
            "ot": ot,
            "bp": bp,
            "error": error,
            "problems": services.onething_problems(snapshot=snapshot),
            "questions": [
                {**q, "chosen": answers.get(q["code"], q.get("default"))}
                for q in snapshot["questions"]
            ],
            "answers": answers,
            "next_status": STATUS_ORDER[position + 1] if position + 1 < len(STATUS_ORDER) else None,
            "versions": ot.versions.order_by("-number")[:10],
            "bp_json": json.dumps(bp, ensure_ascii=False, indent=1) if bp else "",
        }
        return TemplateResponse(request, "admin/catalog/onething_preview.html", context)

    def advance(self, request, code):
        ot = get_object_or_404(OneThing, code=code)
        if request.method == "POST":
            self._apply(
                request,
                lambda: services.onething_advance(
                    onething=ot, to=request.POST.get("to", ""), actor=request.user
                ),
                f"已进入“{request.POST.get('to')}”阶段",
            )
        return redirect("admin:catalog_onething_preview", code)

    def publish(self, request, code):
        ot = get_object_or_404(OneThing, code=code)
        if request.method == "POST":
            self._apply(
                request,
                lambda: services.onething_publish(onething=ot, actor=request.user),
                "已发布新版本（内容未变化时不产生新版本）",
            )
        return redirect("admin:catalog_onething_preview", code)

    def _apply(self, request, fn, ok: str):
        try:
            fn()
            messages.success(request, ok)
        except DomainError as exc:
            messages.error(request, exc.message)


@admin.register(OneThingVersion)
class OneThingVersionAdmin(admin.ModelAdmin):
    list_display = ["onething", "number", "status", "published_at"]
    list_filter = ["onething"]
    readonly_fields = ["onething", "number", "status", "snapshot", "digest", "published_at"]

    def has_change_permission(self, request, obj=None):
        return False  # published versions are immutable

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OneClass)
class OneClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "subject"]
    filter_horizontal = ["onethings"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["canonical", "terms", "order"]
    search_fields = ["canonical"]
