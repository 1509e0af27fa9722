"""Forms of the organisation pages. They shape and check input; the rules live in actions.

Choice fields validate against the user's `visible_*` querysets, so a forged id of something
out of scope is refused exactly like an id that does not exist. Where a list could be long
(people, move targets) the form *shows* a short list (a search narrows it) but *accepts*
anything visible, so that the action gives its own clear refusal (a move under a descendant,
a kind that cannot sit there).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Area, PartyOrg, Person
from .roles import AREA_ROLES, ORG_ROLES, UNIT_ROLES, Role
from .search import normalise_query

CHOICE_LIMIT = 200
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _with_current(qs: QuerySet[Any], current_id: int | None) -> QuerySet[Any]:
    """A visible queryset plus the value already saved, which the editor may not see."""
    if current_id is None:
        return qs
    return qs | qs.model._default_manager.filter(pk=current_id)


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _show_only(field: forms.ModelChoiceField, objects: Iterable[Any], label: Any = str) -> None:
    """Render a short list of options while the field still accepts its whole queryset."""
    field.widget.choices = [("", "---------"), *((o.pk, label(o)) for o in objects)]


def org_label(org: PartyOrg) -> str:
    return f"{org.name} · {org.get_kind_display()} · {org.code}"


def person_label(person: Person) -> str:
    return f"{person.name} ({person.masked_phone})" if person.phone else person.name


class ActionForm(forms.Form):
    """A plain form whose cleaned data is handed to one action."""

    def action_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class ModelActionForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that only validates: the action, not `save()`, writes.

    It works on a copy of the instance so that a refused edit leaves the page's object
    (its heading, its breadcrumbs) as it is in the database.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)

    def action_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


# --- Organisations -------------------------------------------------------------------------


class OrgForm(ModelActionForm):
    class Meta:
        model = PartyOrg
        fields = [
            "name",
            "short_name",
            "kind",
            "code",
            "unit",
            "area",
            "is_retired_members",
            "founded_on",
        ]
        widgets = {"founded_on": DATE}

    def __init__(self, *args: Any, user: Any, parent: PartyOrg | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _model_choice(self, "unit").queryset = _with_current(
            access.visible_units(user), self.instance.unit_id
        ).order_by("name", "id")
        _model_choice(self, "area").queryset = _with_current(
            access.visible_areas(user), self.instance.area_id
        ).order_by("path")
        if self.instance.pk:
            # The kind changes by re-founding, never by editing (actions.update_org).
            del self.fields["kind"]
        elif parent is not None:
            allowed = PartyOrg.CHILD_KINDS.get(parent.kind, ())
            _choice(self, "kind").choices = [
                (k, label) for k, label in PartyOrg.Kind.choices if k in allowed
            ]
            self.initial.setdefault("unit", parent.unit_id)


class OrgMoveForm(ActionForm):
    new_parent = forms.ModelChoiceField(
        queryset=PartyOrg.objects.none(), label=_("New parent organisation")
    )
    note = forms.CharField(
        label=_("Reason or decision"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, org: PartyOrg, q: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        visible = access.visible_orgs(user)
        _model_choice(self, "new_parent").queryset = visible
        parent_kinds = [k for k, kids in PartyOrg.CHILD_KINDS.items() if org.kind in kids]
        candidates = (
            visible.filter(status=PartyOrg.Status.ACTIVE, kind__in=parent_kinds)
            .exclude(path__startswith=org.path)
            .exclude(path=org.path[: -org.steplen])
            .select_related("area")
            .order_by("path")
        )
        key = normalise_query(q)
        if key:
            candidates = candidates.filter(search_key__contains=key)
        _show_only(
            _model_choice(self, "new_parent"),
            [o for o in candidates[:CHOICE_LIMIT] if access.can_manage_org(user, o)],
            org_label,
        )


class OrgRetireForm(ActionForm):
    note = forms.CharField(
        label=_("Reason or decision"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the number of the decision that dissolves it."),
    )


class OrgMergeForm(ActionForm):
    target = forms.ModelChoiceField(queryset=PartyOrg.objects.none(), label=_("Merge into"))
    note = forms.CharField(
        label=_("Reason or decision"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, org: PartyOrg, **kwargs: Any):
        super().__init__(*args, **kwargs)
        visible = access.visible_orgs(user)
        _model_choice(self, "target").queryset = visible
        candidates = (
            visible.filter(status=PartyOrg.Status.ACTIVE, kind=org.kind)
            .exclude(path__startswith=org.path)
            .select_related("area")
            .order_by("path")[:CHOICE_LIMIT]
        )
        _show_only(
            _model_choice(self, "target"),
            [o for o in candidates if access.can_manage_org(user, o)],
            org_label,
        )


# --- Areas -----------------------------------------------------------------------------------


class AreaForm(ModelActionForm):
    class Meta:
        model = Area
        fields = ["name", "kind", "code", "centre_lat", "centre_lng"]

    def __init__(self, *args: Any, user: Any, parent: Area | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]
        elif parent is not None:
            allowed = Area.CHILD_KINDS.get(parent.kind, ())
            _choice(self, "kind").choices = [
                (k, label) for k, label in Area.Kind.choices if k in allowed
            ]


class AreaMoveForm(ActionForm):
    new_parent = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("New parent area"))
    note = forms.CharField(
        label=_("Reason or decision"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, area: Area, q: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        visible = access.visible_areas(user)
        _model_choice(self, "new_parent").queryset = visible
        parent_kinds = [k for k, kids in Area.CHILD_KINDS.items() if area.kind in kids]
        candidates = (
            visible.filter(kind__in=parent_kinds)
            .exclude(path__startswith=area.path)
            .exclude(path=area.path[: -area.steplen])
            .order_by("path")
        )
        key = normalise_query(q)
        if key:
            candidates = candidates.filter(search_key__contains=key)
        _show_only(
            _model_choice(self, "new_parent"),
            [a for a in candidates[:CHOICE_LIMIT] if access.can_manage_area(user, a)],
            lambda a: f"{a.name} · {a.get_kind_display()} · {a.code}",
        )


# --- Posts -------------------------------------------------------------------------------------


class PostForm(ActionForm):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    role = forms.ChoiceField(label=_("Role"), choices=())
    title = forms.CharField(
        label=_("Title"),
        max_length=60,
        required=False,
        help_text=_("As printed: 书记, 组织委员, 网格长 …"),
    )
    started_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    certificate_no = forms.CharField(
        label=_("Appointment certificate no."),
        max_length=40,
        required=False,
        help_text=_("For mobile grid workers."),
    )

    ROLES_BY_SCOPE = {"org": ORG_ROLES, "area": AREA_ROLES, "unit": UNIT_ROLES}

    def __init__(
        self, *args: Any, user: Any, scope_kind: str, scope: Any, q: str = "", **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        allowed = self.ROLES_BY_SCOPE[scope_kind]
        _choice(self, "role").choices = [
            ("", "---------"),
            *(
                (r, label)
                for r, label in Role.choices
                if r in allowed and r != Role.BRANCH_MEMBER  # membership is not a post
            ),
        ]
        if scope_kind != "area":
            del self.fields["certificate_no"]  # 聘书 are for (mobile) grid workers
        visible = access.visible_people(user).filter(is_active=True)
        _model_choice(self, "person").queryset = visible
        key = normalise_query(q)
        if key:
            shortlist = visible.filter(search_key__contains=key)
        elif scope_kind == "org":
            shortlist = visible.filter(party_org=scope)
        elif scope_kind == "area":
            shortlist = visible.filter(area_path__startswith=scope.path)
        else:
            shortlist = visible.filter(unit=scope)
        _show_only(
            _model_choice(self, "person"),
            shortlist.order_by("name", "id")[:CHOICE_LIMIT],
            person_label,
        )


class EndPostForm(ActionForm):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


# --- People ----------------------------------------------------------------------------------


class PersonForm(ModelActionForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_year",
            "phone",
            "political_status",
            "party_joined_on",
            "occupation",
            "party_org",
            "area",
            "unit",
            "is_active",
        ]
        widgets = {
            "party_joined_on": DATE,
            "phone": forms.TextInput(
                attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}
            ),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        orgs = access.visible_orgs(user).filter(status=PartyOrg.Status.ACTIVE)
        _model_choice(self, "party_org").queryset = _with_current(
            orgs, self.instance.party_org_id
        ).order_by("path")
        _model_choice(self, "area").queryset = _with_current(
            access.visible_areas(user), self.instance.area_id
        ).order_by("path")
        _model_choice(self, "unit").queryset = _with_current(
            access.visible_units(user), self.instance.unit_id
        ).order_by("name", "id")
        if not self.instance.pk:
            del self.fields["is_active"]


# --- Filters (GET) ---------------------------------------------------------------------------


def _blank(label: Any, choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    political_status = forms.ChoiceField(
        label=_("Political status"),
        required=False,
        choices=_blank(_("Any political status"), Person.PoliticalStatus.choices),
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"),
        required=False,
        choices=_blank(_("Any occupation"), Person.Occupation.choices),
    )
    role = forms.ChoiceField(
        label=_("Role held"),
        required=False,
        choices=_blank(
            _("Any role or none"), [c for c in Role.choices if c[0] != Role.BRANCH_MEMBER]
        ),
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class AuditFilterForm(forms.Form):
    verb = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("The start is enough: “org.” finds every organisation change."),
    )
    object_type = forms.ChoiceField(
        label=_("Object type"),
        required=False,
        choices=_blank(
            _("Any object"),
            [
                ("orgs.partyorg", _("Party organisation")),
                ("orgs.area", _("Area")),
                ("orgs.unit", _("Unit")),
                ("orgs.person", _("Person")),
                ("orgs.post", _("Post")),
                ("orgs.user", _("Account")),
            ],
        ),
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
