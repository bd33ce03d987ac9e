from django import forms
from django.contrib import admin

from . import services
from .models import CaseFact, Warning, WarningRule


class WarningRuleForm(forms.ModelForm):
    class Meta:
        model = WarningRule
        fields = [
            "code",
            "name",
            "target",
            "level",
            "condition",
            "threshold",
            "enabled",
            "description",
            "region",
        ]

    def clean(self):
        data = super().clean()
        for field, message in services.rule_problems(
            data.get("target", ""), data.get("condition")
        ).items():
            self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    form = WarningRuleForm
    list_display = ["code", "name", "target", "level", "region", "threshold", "enabled"]
    list_filter = ["target", "level", "enabled"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        # Through the service so that a rule with an unknown attribute is never stored.
        services.rule_save(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            target=obj.target,
            level=obj.level,
            condition=obj.condition,
            threshold=obj.threshold,
            enabled=obj.enabled,
            description=obj.description,
            region=obj.region_id or "",
        )


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "department", "status", "raised_at"]
    list_filter = ["level", "status", "target"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in Warning._meta.fields]


@admin.register(CaseFact)
class CaseFactAdmin(admin.ModelAdmin):
    list_display = ["number", "onething", "status", "county", "submitted_on", "finished_on"]
    list_filter = ["status", "channel"]
    search_fields = ["number"]
    readonly_fields = [f.name for f in CaseFact._meta.fields]
