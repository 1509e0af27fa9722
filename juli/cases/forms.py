"""Forms of the office pages of the case loop. They shape and check input; rules live in actions.

Choice fields validate against the user's `visible_*` querysets, so a forged id outside the
user's scope is refused like one that does not exist. Every action form carries a hidden
client UUID and the status the form was drawn for: a second post of the same form (a double
click, a resend) is recognised and answered "already done" instead of an error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.widgets import FastSelect, PickerSelect, ShownModelChoiceField
from juli.orgs import access as org_access
from juli.orgs.models import Area, Unit, User

from . import access, actions, queries
from .models import (
    MAX_FEED_DECIMALS,
    MIN_FEED_DECIMALS,
    CalendarDay,
    Case,
    CaseCategory,
    Point,
    PointCategory,
    PublicFeedSettings,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The area filter lists the areas down to micro-grids (building groups would swamp it).
AREA_FILTER_KINDS = (
    Area.Kind.DISTRICT,
    Area.Kind.STREET,
    Area.Kind.COMMUNITY,
    Area.Kind.MICRO_GRID,
)
UNIT_CHOICE_LIMIT = 300
#: How many units a unit select lists before its search box is needed (a district has
#: hundreds of responsible units; the search finds the others).
UNIT_SHOWN = 30


#: The select lists areas down to communities: a district has thousands of micro-grids, and
#: a select of them all costs more to render than the list it filters. A micro-grid is still
#: accepted (links from the dashboard, bulletins and rankings carry one) and shown when chosen.
AREA_SHOWN_KINDS = (Area.Kind.DISTRICT, Area.Kind.STREET, Area.Kind.COMMUNITY)


class AreaChoiceField(ShownModelChoiceField):
    """Areas indented by their depth, so the select reads as the tree. `queryset` is what
    the field accepts; `shown`, when set, is what the select lists."""

    widget = FastSelect
    shown_columns = ("depth", "name")

    def label_from_instance(self, obj: Any) -> str:
        return self.label_from_row(obj.depth, obj.name)

    def label_from_row(self, *values: Any) -> str:
        depth, name = values
        return "\u3000" * max(0, depth - 1) + name


def _filter_areas(user: Any) -> QuerySet[Area]:
    return (
        org_access.visible_areas(user)
        .filter(kind__in=AREA_FILTER_KINDS, is_active=True)
        .order_by("path")
    )


def _set_areas(field: Any, user: Any, data: Any) -> None:
    """Accept every filterable area in scope; list the upper levels and the chosen one."""
    accepted = _filter_areas(user)
    chosen = str((data or {}).get("area") or "")
    shown = Q(kind__in=AREA_SHOWN_KINDS)
    if chosen.isdigit():
        shown |= Q(pk=int(chosen))
    # Only what the select shows: an area row also holds its boundary polygon.
    field.shown = accepted.filter(shown)
    field.queryset = accepted  # after `shown`: setting it builds the widget's choices


def _units(user: Any) -> QuerySet[Unit]:
    return org_access.visible_units(user).filter(is_active=True).order_by("name", "pk")


def _unit_field(
    *, blank: str = "", search_label: Any = None, **kwargs: Any
) -> ShownModelChoiceField:
    return ShownModelChoiceField(
        queryset=Unit.objects.none(),
        widget=PickerSelect(
            search_url="unit-options",
            blank=blank,
            search_label=search_label or _("Search responsible units"),
        ),
        **kwargs,
    )


def _set_units(field: Any, user: Any, chosen: Any, hints: Any = None, ids: Any = ()) -> None:
    """Accept every active unit in scope; list the chosen one, the given ones, the hinted
    ones (a queryset of unit ids: where a case would likely go) and the first few by name;
    the search box finds the rest. One query lists them (the parts are subqueries)."""
    accepted = _units(user)
    wanted = {int(v) for v in (chosen, *ids) if str(v or "").isdigit()}
    shown = Q(pk__in=wanted) | Q(pk__in=accepted.values("pk")[:UNIT_SHOWN])
    if hints is not None:
        shown |= Q(pk__in=hints)
    field.shown = accepted.filter(shown).only("pk", "name")
    field.queryset = accepted


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=queries.MAX_SEARCH_LENGTH,
        label=_("Search cases"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Case number, or words of the title, description or address"),
                "autocomplete": "off",
            }
        ),
    )
    area = AreaChoiceField(
        queryset=Area.objects.none(), required=False, empty_label=_("All areas"), label=_("Area")
    )
    category = ShownModelChoiceField(
        queryset=CaseCategory.objects.order_by("code"),
        required=False,
        empty_label=_("All categories"),
        label=_("Category"),
        widget=FastSelect,
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Case.Status.choices], required=False, label=_("Status")
    )
    unit = _unit_field(
        blank="all",
        required=False,
        empty_label=_("All units"),
        label=_("Unit"),
        # Labelled as what it is: it narrows the unit list, it does not search the cases.
        search_label=_("Search responsible units"),
    )
    source = forms.ChoiceField(
        choices=[("", _("All sources")), *Case.Source.choices], required=False, label=_("Source")
    )
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    reported_from = forms.DateField(required=False, widget=DATE, label=_("Reported from"))
    reported_to = forms.DateField(required=False, widget=DATE, label=_("Reported to"))
    # Set by links (the weekly ranking's figures), kept as hidden fields by the filter form.
    point = forms.ModelChoiceField(
        queryset=Point.objects.none(), required=False, widget=forms.HiddenInput, label=_("Point")
    )
    due_from = forms.DateField(required=False, widget=forms.HiddenInput, label=_("Due from"))
    due_to = forms.DateField(required=False, widget=forms.HiddenInput, label=_("Due to"))
    verified_from = forms.DateField(
        required=False, widget=forms.HiddenInput, label=_("Verified from")
    )
    verified_to = forms.DateField(required=False, widget=forms.HiddenInput, label=_("Verified to"))
    not_rejected = forms.BooleanField(required=False, label=_("Leave out rejected reports"))

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        _set_areas(self.fields["area"], user, data)
        _set_units(self.fields["unit"], user, (data or {}).get("unit"))
        self.fields["point"].queryset = access.visible_points(user)  # type: ignore[attr-defined]

    def link_filters(self) -> list[tuple[str, str]]:
        """The hidden filters in force, as (label, value) to show above the list."""
        if not self.is_bound:
            return []
        self.is_valid()
        out = []
        for name in ("point", "due_from", "due_to", "verified_from", "verified_to"):
            value = self.cleaned_data.get(name) if name not in self.errors else None
            if value is not None:
                out.append((str(self.fields[name].label), str(value)))
        return out

    def filters(self) -> queries.CaseFilters:
        """The valid part of the filters (an invalid value is ignored, shown as an error)."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return queries.CaseFilters(
            area=data.get("area"),
            category=data.get("category"),
            status=data.get("status") or None,
            unit=data.get("unit"),
            source=data.get("source") or None,
            overdue=bool(data.get("overdue")),
            reported_from=data.get("reported_from"),
            reported_to=data.get("reported_to"),
            point=data.get("point"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            verified_from=data.get("verified_from"),
            verified_to=data.get("verified_to"),
            not_rejected=bool(data.get("not_rejected")),
            q=data.get("q") or "",
        )


class PointFilterForm(forms.Form):
    ZERO_CHOICES = [("", _("All points")), ("1", _("Zero-deduction only")), ("0", _("Others"))]

    area = AreaChoiceField(
        queryset=Area.objects.none(), required=False, empty_label=_("All areas"), label=_("Area")
    )
    category = forms.ModelChoiceField(
        queryset=PointCategory.objects.order_by("code"),
        required=False,
        empty_label=_("All categories"),
        label=_("Category"),
    )
    zero = forms.ChoiceField(choices=ZERO_CHOICES, required=False, label=_("Zero-deduction"))
    unit = _unit_field(
        blank="all_responsible",
        required=False,
        empty_label=_("All responsible units"),
        label=_("Responsible unit"),
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        _set_areas(self.fields["area"], user, data)
        _set_units(self.fields["unit"], user, (data or {}).get("unit"))

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v}


# --- Case actions ------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """The common part of every case action: the double-post guard and the note."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=Case.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"client_uuid": uuid.uuid4(), "expected_status": case.status})
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user

    action = ""

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of the action function beyond the note."""
        return {}


class ReasonForm(ActionForm):
    note = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _form(action: str, base: type[ActionForm]) -> type[ActionForm]:
    return type(f"{action.title().replace('_', '')}Form", (base,), {"action": action})


class DispatchForm(ActionForm):
    action = "dispatch"
    unit = _unit_field(label=_("Responsible unit"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        case = self.case
        chosen = self.data.get(self.add_prefix("unit")) if self.is_bound else None
        # The units responsible for points around the case come first: where it usually goes.
        around = case.area_path[: max(len(case.area_path) - Area.steplen, Area.steplen)]
        hints = (
            Point.objects.filter(area_path__startswith=around, responsible_unit__isnull=False)
            .values("responsible_unit_id")
            .distinct()[:UNIT_SHOWN]
        )
        point_unit = case.point.responsible_unit_id if case.point is not None else None
        _set_units(field, self.user, chosen, hints, ids=[case.unit_id, point_unit])
        field.initial = case.unit_id or point_unit

    def arguments(self) -> dict[str, Any]:
        return {"unit": self.cleaned_data["unit"]}


class ResumeForm(DispatchForm):
    action = "resume"


#: The combined step 立案并派遣 (`actions.accept_and_dispatch`): not an action of
#: `TRANSITIONS` but its two steps in one transaction.
ACCEPT_DISPATCH = actions.ACCEPT_DISPATCH


class AcceptDispatchForm(DispatchForm):
    """Accept a reported case and dispatch it to the unit chosen here, in one step."""

    action = ACCEPT_DISPATCH
    field_order = ["unit", "note"]  # the choice first: the note is optional


class DeferForm(ActionForm):
    action = "defer"
    requested_by = ShownModelChoiceField(
        queryset=User.objects.none(),
        label=_("Asked for by"),
        help_text=_("You approve the deferral; name who asked for it."),
        widget=FastSelect,
    )
    note = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = org_access.visible_people(self.user).values("pk")
        contacts = actions.unit_contacts(self.case.unit_id).values("pk")
        field = self.fields["requested_by"]
        accepted = (
            User.objects.filter(is_active=True)
            .filter(Q(person_id__in=people) | Q(pk__in=contacts))
            .exclude(pk=self.user.pk)
        )
        # The unit's own people ask for deferrals: they are listed; anyone else the user can
        # see is accepted (the person directory finds them) but not listed, which would be
        # thousands of names in a district.
        chosen = str(self.data.get(self.add_prefix("requested_by")) or "")
        shown = Q(pk__in=contacts)
        if self.is_bound and chosen.isdigit():
            shown |= Q(pk=int(chosen))
        field.shown = (  # type: ignore[attr-defined]
            accepted.filter(shown).select_related("person").order_by("username")[:UNIT_CHOICE_LIMIT]
        )
        field.queryset = accepted  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.person.name} ({u.username})" if u.person_id else u.username
        )

    def arguments(self) -> dict[str, Any]:
        return {"requested_by": self.cleaned_data["requested_by"]}


class RectifyForm(ActionForm):
    action = "rectify"
    photo = forms.FileField(
        label=_("Photo of the rectified place"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": _form("accept", ActionForm),
    "reject": _form("reject", ReasonForm),
    "dispatch": DispatchForm,
    "rectify": RectifyForm,
    "verify": _form("verify", ActionForm),
    "send_back": _form("send_back", ReasonForm),
    "close": _form("close", ActionForm),
    "defer": DeferForm,
    "resume": ResumeForm,
    "reopen": _form("reopen", ReasonForm),
}
#: Forms of steps that combine actions of `TRANSITIONS` (the office's shortcuts).
COMBINED_FORMS: dict[str, type[ActionForm]] = {ACCEPT_DISPATCH: AcceptDispatchForm}


# --- The public feed -------------------------------------------------------------------------------


class PublicationForm(forms.Form):
    """The case's public reply and public flag (`publication.update_publication`). A case
    reported by the public is always listed: its form has no flag."""

    public_reply = forms.CharField(
        label=_("Public reply (shown in the public feed)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Written for the public: the Open311 feed shows it as the case's status note. "
            "Leave out names, phone numbers and addresses."
        ),
    )
    is_public = forms.BooleanField(
        label=_("List this case in the public feed"),
        required=False,
        help_text=_(
            "The feed shows its category, place, status and public reply; never its title, "
            "description, notes or reporter."
        ),
    )
    feed_withdrawn = forms.BooleanField(
        label=_("Withdraw this report from the public feed"),
        required=False,
        help_text=_(
            "For a report whose description names a person, gives a phone number or is "
            "abusive: the feed then answers as if it did not exist."
        ),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "public_reply": case.public_reply,
                "is_public": case.is_public,
                "feed_withdrawn": case.feed_withdrawn,
            },
        )
        super().__init__(*args, **kwargs)
        if case.source == Case.Source.PUBLIC:
            del self.fields["is_public"]
        else:
            del self.fields["feed_withdrawn"]

    def changes(self) -> dict[str, Any]:
        """Keyword arguments of `update_publication`."""
        return {name: self.cleaned_data[name] for name in self.fields}


class FeedSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PublicFeedSettings
        fields = ["feed", "coordinate_decimals", "name_agencies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's validators hold the range; the browser is told it too.
        decimals = self.fields["coordinate_decimals"].widget
        decimals.attrs.update(min=MIN_FEED_DECIMALS, max=MAX_FEED_DECIMALS)


# --- Points import and the calendar ---------------------------------------------------------------


class PointImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class CalendarDayForm(forms.Form):
    date = forms.DateField(widget=DATE, label=_("Date"))
    kind = forms.ChoiceField(choices=CalendarDay.Kind.choices, label=_("Kind"))
    name = forms.CharField(max_length=60, required=False, label=_("Name of the day"))


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def chosen_year(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year
