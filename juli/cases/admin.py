"""The cases part of the Juli admin: reference data (categories, checklists, the working-time
calendar) editable by district administrators, points scoped like the pages, cases and the
plan read-only here (they change through actions on the pages).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from juli.orgs.access import can_use_admin, require_login_user
from juli.orgs.admin_site import ScopedAdmin, admin_site

from . import access, publication
from .models import (
    CalendarDay,
    Case,
    CaseCategory,
    CaseEvent,
    ChecklistItem,
    InspectionAssignment,
    Point,
    PointCategory,
    PublicFeedSettings,
)


class ReferenceAdmin(ScopedAdmin):
    """District-wide reference data: every admin user sees it and may add to it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["order", "text", "deduction", "case_category", "is_active"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PointCategory, site=admin_site)
class PointCategoryAdmin(ReferenceAdmin):
    visible = staticmethod(lambda user: PointCategory.objects.all())
    list_display = ["code", "name", "frequency_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [ChecklistItemInline]


@admin.register(CaseCategory, site=admin_site)
class CaseCategoryAdmin(ReferenceAdmin):
    visible = staticmethod(lambda user: CaseCategory.objects.all())
    list_display = ["code", "name", "time_limit", "time_unit", "in_working_time", "is_active"]
    list_filter = ["time_unit", "in_working_time", "is_active"]
    search_fields = ["code", "name"]


@admin.register(CalendarDay, site=admin_site)
class CalendarDayAdmin(ReferenceAdmin):
    visible = staticmethod(lambda user: CalendarDay.objects.all())
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(Point, site=admin_site)
class PointAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_points)
    list_display = [
        "code",
        "name",
        "category",
        "area",
        "responsible_unit",
        "zero_deduction",
        "is_active",
    ]
    list_filter = ["category", "zero_deduction", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["area", "responsible_unit", "responsible_person"]
    readonly_fields = ["area_path", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # points are created by actions (pages, import), which check the area

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # area_path and the area rules are kept by update_point


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case, site=admin_site)
class CaseAdmin(ReadOnlyAdmin):
    visible = staticmethod(access.visible_cases)
    list_display = [
        "number",
        "title",
        "status",
        "category",
        "area",
        "unit",
        "reported_at",
        "deadline",
    ]
    list_filter = ["status", "source", "category"]
    search_fields = ["number", "title"]
    date_hierarchy = "reported_at"


@admin.register(CaseEvent, site=admin_site)
class CaseEventAdmin(ReadOnlyAdmin):
    visible = staticmethod(
        lambda user: CaseEvent.objects.filter(case__in=access.visible_cases(user))
    )
    list_display = ["at", "case", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]


@admin.register(InspectionAssignment, site=admin_site)
class InspectionAssignmentAdmin(ReadOnlyAdmin):
    visible = staticmethod(access.visible_assignments)
    list_display = ["date", "inspector", "order", "point"]
    date_hierarchy = "date"


@admin.register(PublicFeedSettings, site=admin_site)
class PublicFeedSettingsAdmin(ScopedAdmin):
    """The districts' public-feed settings, saved through `publication.update_feed_settings`
    (the same rights check and audit row as the settings page)."""

    visible = staticmethod(
        lambda user: PublicFeedSettings.objects.filter(
            district__in=access.feed_districts(user)
        ).select_related("district", "updated_by")
    )
    list_display = ["district", "feed", "coordinate_decimals", "name_agencies", "updated_at"]
    list_filter = ["feed", "name_agencies"]
    fields = [
        "district",
        "feed",
        "coordinate_decimals",
        "name_agencies",
        "updated_at",
        "updated_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user) and access.feed_districts(request.user).exists()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["district", "updated_at", "updated_by"] if obj else ["updated_at", "updated_by"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "district":
            kwargs["queryset"] = access.feed_districts(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in publication.FEED_FIELDS}
        saved = publication.update_feed_settings(
            require_login_user(request.user), obj.district, **data
        )
        obj.pk, obj.updated_at, obj.updated_by = saved.pk, saved.updated_at, saved.updated_by
        obj._state.adding = False
