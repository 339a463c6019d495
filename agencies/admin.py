"""Configuration for platform administrators: partnerships, agencies and people.

No case content is registered in the admin: administrators configure, they do not read cases.
"""

from django.contrib import admin

from agencies.models import Agency, ClosureDay, Membership, Partnership


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 1


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "nation", "close_of_business", "adopted_policy")
    list_filter = ("nation",)
    search_fields = ("name", "code")
    inlines = [ClosureDayInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user", "line_manager")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "partnership")
    list_filter = ("partnership", "kind")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "line_manager")
    list_filter = ("agency__partnership", "role")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name")
    autocomplete_fields = ("user", "agency", "line_manager")
