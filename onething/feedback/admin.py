"""Admin: dispatch staff edit routing rules and time limits; the rest is read-mostly."""

from django import forms
from django.contrib import admin

from onething.rules import services as rules

from .models import (
    Rating,
    Rectification,
    Ticket,
    TicketAlert,
    TicketRoutingRule,
    TicketSla,
    TicketVisit,
)
from .selectors import ticket_record
from .serialize import audit_full_view, audit_ratings_view, audit_rectifications_view

RULE_FIELDS = set(ticket_record())


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = TicketRoutingRule
        fields = ["position", "name", "rule", "department", "department_kind", "enabled"]

    def clean_rule(self):
        rule = self.cleaned_data["rule"]
        errors = rules.check_stored(rule, variables=RULE_FIELDS)
        if errors:
            raise forms.ValidationError([f"{e.path}：{e.message}" for e in errors])
        return rule

    def clean(self):
        data = super().clean()
        if not data.get("department") and not data.get("department_kind"):
            raise forms.ValidationError("请指定部门或部门类别")
        return data


@admin.register(TicketRoutingRule)
class TicketRoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("position", "name", "department", "department_kind", "enabled")
    list_editable = ("enabled",)
    list_display_links = ("name",)
    ordering = ("position", "id")


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):
    list_display = (
        "urgency",
        "category",
        "sign_minutes",
        "feedback_hours",
        "handle_hours",
        "working_hours",
    )


class ReadOnly(admin.ModelAdmin):
    """Changes go through the services (events, notifications); the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = (
        "number",
        "status",
        "category",
        "subcategory",
        "urgency",
        "department",
        "escalations",
        "created_at",
    )
    list_filter = ("status", "urgency", "category")
    search_fields = ("number", "content", "contact_name")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The view page shows the contact phone and the typed texts in full: a sensitive read.
        ticket = self.get_object(request, object_id)
        if request.method == "GET" and ticket is not None:
            audit_full_view(request.user, ticket)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ("id", "target", "case", "department", "level", "channel", "created_at")
    list_filter = ("level", "channel", "target")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The view page shows the comment as typed, numbers included: a sensitive read.
        rating = self.get_object(request, object_id)
        if request.method == "GET" and rating is not None:
            audit_ratings_view(request.user, [rating])
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    list_display = ("id", "department", "status", "deadline", "replied_at", "checked_at")
    list_filter = ("status",)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The view page shows the reply, check note and visit record as typed: a sensitive read.
        rect = self.get_object(request, object_id)
        if request.method == "GET" and rect is not None:
            audit_rectifications_view(request.user, [rect])
        return super().change_view(request, object_id, form_url, extra_context)


admin.site.register(TicketVisit, ReadOnly)
admin.site.register(TicketAlert, ReadOnly)
