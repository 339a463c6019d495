"""Django admin for policies and their versions (cases are not managed here).

A thin caller of escalation/domain/policies.py: the "copy into a draft" and "publish"
actions, and saving a changed draft, go through the services, which check the person and the
document. Published versions are read-only; presets change only through their files.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from agencies.enums import Role
from agencies.models import Partnership
from config.http import signed_in
from escalation.domain.policies import (
    PolicyError,
    policy_copy_to_draft,
    policy_current_version,
    policy_draft_update,
    policy_may_manage,
    policy_publish,
)
from escalation.domain.policy_files import PolicyFileError, validate_policy_document
from escalation.models import Policy, PolicyVersion


def _managed_partnerships(request: HttpRequest) -> QuerySet[Partnership]:
    """The partnerships whose policies the person may manage."""
    user: Any = request.user
    if user.is_superuser:
        return Partnership.objects.all()
    return Partnership.objects.filter(
        agencies__memberships__user=user, agencies__memberships__role=Role.PARTNERSHIP_ADMIN
    ).distinct()


def _visible_policies(request: HttpRequest) -> Q:
    """Presets, and the policies of the partnerships the person manages."""
    if getattr(request.user, "is_superuser", False):
        return Q()
    return Q(owner__isnull=True) | Q(owner__in=_managed_partnerships(request))


class PolicyActionForm(ActionForm):
    """The action bar, with the partnership a copy is made for."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.all(),
        required=False,
        label="Partnership",
        empty_label="(choose a partnership for a copy)",
    )


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "status", "published_at", "source", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "copied_from", "published_version")
    list_filter = (("owner", admin.EmptyFieldListFilter),)
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "name", "owner", "copied_from")
    inlines = (PolicyVersionInline,)
    actions = ("copy_to_draft",)
    action_form = PolicyActionForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Policy]:
        return (
            super()
            .get_queryset(request)
            .filter(_visible_policies(request))
            .select_related("owner", "copied_from")
        )

    @admin.display(description="Kind")
    def kind(self, obj: Policy) -> str:
        return "Preset" if obj.owner_id is None else f"Own policy of {obj.owner}"

    @admin.display(description="Published version")
    def published_version(self, obj: Policy) -> str:
        try:
            return f"v{policy_current_version(obj).number}"
        except PolicyError:
            return "none yet"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # presets come from their files, own policies from "copy into a draft"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.owner_id is None:
            return False  # presets stay: partnerships and cases rely on them
        return super().has_delete_permission(request, obj)

    @admin.action(description="Copy into a draft for the partnership chosen")
    def copy_to_draft(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        partnership_id = request.POST.get("partnership", "")
        partnership = (
            _managed_partnerships(request).filter(pk=int(partnership_id)).first()
            if partnership_id.isdigit()
            else None
        )
        if partnership is None:
            self.message_user(
                request,
                "Choose, beside the action, a partnership whose policies you manage.",
                messages.ERROR,
            )
            return
        for policy in queryset:
            try:
                draft = policy_copy_to_draft(
                    policy=policy, partnership=partnership, by=signed_in(request)
                )
            except PolicyError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            url = reverse("admin:escalation_policyversion_change", args=[draft.pk])
            self.message_user(
                request,
                format_html(
                    '{} copied into <a href="{}">a draft, version {} of {}</a>: change it, '
                    "then publish it.",
                    policy.name,
                    url,
                    draft.number,
                    draft.policy.slug,
                ),
                messages.SUCCESS,
            )


class PrettyJSONField(forms.JSONField):
    """The document as indented JSON, so that a person can read and change it."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class PolicyVersionForm(forms.ModelForm):
    document = PrettyJSONField(
        widget=forms.Textarea(attrs={"rows": 40, "cols": 100, "style": "font-family: monospace"}),
        help_text="The policy's data. It is checked against the schema when you save.",
    )

    class Meta:
        model = PolicyVersion
        fields = ("document",)

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        version = self.instance
        try:
            validate_policy_document(
                document, source=f"{version.policy.slug} v{version.number} (draft)"
            )
        except PolicyFileError as error:
            raise forms.ValidationError(str(error)) from error
        if isinstance(document, dict):
            if document.get("slug") != version.policy.slug:
                raise forms.ValidationError(f"slug: keep it {version.policy.slug!r}.")
            if document.get("version") != version.number:
                raise forms.ValidationError(f"version: keep it {version.number}.")
        return document


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("__str__", "policy", "number", "status", "published_at", "source")
    list_filter = ("status", ("policy__owner", admin.EmptyFieldListFilter))
    search_fields = ("policy__slug", "policy__name")
    actions = ("publish",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PolicyVersion]:
        visible = _visible_policies(request)
        policies = Policy.objects.filter(visible)
        return super().get_queryset(request).filter(policy__in=policies).select_related("policy")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = ["policy", "number", "status", "source", "published_at", "created_at"]
        if obj is not None and self.has_change_permission(request, obj):
            return [*shown, "document"]
        return [*shown, "document_as_json"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            "policy",
            "number",
            "status",
            "source",
            "published_at",
            "created_at",
            "document_as_json",
        )

    @admin.display(description="Document")
    def document_as_json(self, obj: PolicyVersion) -> str:
        return format_html(
            "<pre>{}</pre>",  # no style attribute: the CSP refuses inline styles
            json.dumps(obj.document, ensure_ascii=False, indent=2),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from preset files and "copy into a draft"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request, obj)
        if obj.is_published:
            return False  # frozen: a change is a new version
        return super().has_change_permission(request, obj) and policy_may_manage(
            user=request.user, partnership=obj.policy.owner
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (
            obj.is_published
            or not policy_may_manage(user=request.user, partnership=obj.policy.owner)
        ):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form: Any, change: bool) -> None:
        # The form has checked the document; the service checks it again, with the person.
        policy_draft_update(
            version=obj, document=form.cleaned_data["document"], by=signed_in(request)
        )

    @admin.action(description="Publish the selected drafts (they are then frozen)")
    def publish(self, request: HttpRequest, queryset: QuerySet[PolicyVersion]) -> None:
        for version in queryset.order_by("policy__slug", "number"):
            try:
                published = policy_publish(version=version, by=signed_in(request))
            except PolicyError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                f"{published.policy.slug} v{published.number} is published and frozen.",
                messages.SUCCESS,
            )
