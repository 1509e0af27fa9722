"""The Django admin, open to district administrators and the platform superuser.

Querysets are scoped with the same `visible_*` functions as the pages. Saves are audited;
nothing can be deleted here (organisations are retired or merged through actions).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from juli.core.audit import record, snapshot
from juli.core.models import AuditLog

from . import access
from .models import Area, PartyOrg, Person, Post, TreeChange, Unit


class JuliAdminSite(admin.AdminSite):
    site_header = _("Juli administration")
    site_title = _("Juli")
    index_title = _("District administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request.user)


admin_site = JuliAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the user's scope; every save audited; no deletes."""

    visible: Any = None

    def get_queryset(self, request: HttpRequest) -> Any:
        return type(self).visible(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(
            request.user,
            f"admin.{'change' if change else 'add'}",
            obj,
            before=before,
            after=snapshot(obj),
        )


@admin.register(Unit, site=admin_site)
class UnitAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_units)
    list_display = ["name", "kind", "code", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "search_key"]
    raw_id_fields = ["parent", "area"]


@admin.register(PartyOrg, site=admin_site)
class PartyOrgAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_orgs)
    list_display = ["name", "kind", "code", "status", "unit", "area"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "code", "search_key"]
    readonly_fields = ["kind", "path", "depth", "numchild", "status", "merged_into", "ended_at"]
    raw_id_fields = ["unit", "area"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new organisations are founded under a parent, on the pages


@admin.register(Area, site=admin_site)
class AreaAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_areas)
    list_display = ["name", "kind", "code", "is_active"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "search_key"]
    readonly_fields = ["kind", "path", "depth", "numchild"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new areas are added under a parent, on the pages


@admin.register(Person, site=admin_site)
class PersonAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_people)
    list_display = ["name", "political_status", "occupation", "party_org", "area"]
    list_filter = ["political_status", "occupation"]
    search_fields = ["search_key", "phone"]
    raw_id_fields = ["unit", "party_org", "area"]


@admin.register(Post, site=admin_site)
class PostAdmin(ScopedAdmin):
    visible = staticmethod(access.visible_posts)
    list_display = ["person", "role", "title", "org", "area", "unit", "started_on", "ended_on"]
    list_filter = ["role"]
    raw_id_fields = ["person", "org", "area", "unit"]


@admin.register(AuditLog, site=admin_site)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "verb", "object_type", "object_label", "ip"]
    list_filter = ["verb", "object_type"]
    search_fields = ["object_label", "actor_label"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.visible_audit(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TreeChange, site=admin_site)
class TreeChangeAdmin(AuditLogAdmin):
    list_display = ["at", "tree", "node_id", "verb", "old_parent_name", "new_parent_name"]
    list_filter = ["tree", "verb"]
    search_fields = ["old_name", "new_name"]

    def get_queryset(self, request: HttpRequest) -> Any:
        if getattr(request.user, "is_superuser", False):
            return TreeChange.objects.all()
        return TreeChange.objects.filter(
            node_id__in=access.visible_orgs(request.user).values("pk"), tree="org"
        ) | TreeChange.objects.filter(
            node_id__in=access.visible_areas(request.user).values("pk"), tree="area"
        )
