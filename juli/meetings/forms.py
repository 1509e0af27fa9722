"""Desk forms of meetings: plan / edit (with a variable number of parts, each with its
presider and agenda), invitees and guests, a material, cancelling, and the list's filters.

The parts are plain numbered fields (`part-1-title`, `part-1-agenda` …) rather than a
formset: "add a part" is a submit button that re-renders the form with one more block,
keeping what was typed, so the page needs no script.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.widgets import FastSelect
from juli.orgs.models import PartyOrg, Person

from .actions.plan import Invitee, PartSpec
from .models import Attendee, Meeting, MeetingKind, MeetingSeries

MAX_PARTS = 6
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: How a guest's category may be written on a line: Chinese first, as the secretaries write it.
CATEGORY_WORDS = {
    "出席": Attendee.Category.ATTEND,
    "列席": Attendee.Category.SIT_IN,
    "参加": Attendee.Category.TAKE_PART,
    "attend": Attendee.Category.ATTEND,
    "sit_in": Attendee.Category.SIT_IN,
    "take_part": Attendee.Category.TAKE_PART,
}


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


def _dt_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=LocalDateTimeInput(),
        error_messages={
            "required": gettext_lazy("Give the date and time."),
            "invalid": gettext_lazy("Enter a date and time."),
        },
    )


def people_for(org: PartyOrg) -> QuerySet[Person]:
    """Who can be chosen as a presider or invitee of `org`'s meetings: the active people of
    the top organisation's whole tree (a bureau's branches invite the bureau's leaders)."""
    root = org.path[: PartyOrg.steplen]
    return Person.objects.filter(org_path__startswith=root, is_active=True).order_by("name", "pk")


def split_line(line: str) -> list[str]:
    """A line's parts separated by | (or the full-width ｜)."""
    return [p.strip() for p in line.replace("｜", "|").split("|")]


def parse_agenda(text: str) -> list[tuple[str, str]]:
    """Agenda items, one a line: "title | presenter" (the presenter is optional)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        bits = split_line(line)
        items.append((bits[0][:300], (bits[1] if len(bits) > 1 else "")[:120]))
    return items


def parse_guests(text: str) -> list[Invitee]:
    """Guests, one a line: "name | unit or title | 出席/列席/参加" (unit and category optional;
    the category defaults to 参加). A `ValidationError` names the first line that is wrong."""
    guests = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        bits = split_line(line)
        name = bits[0]
        if not name:
            raise forms.ValidationError(_("Line %(n)s: a guest needs a name.") % {"n": n})
        if len(name) > 60:
            raise forms.ValidationError(_("Line %(n)s: the name is too long.") % {"n": n})
        category = Attendee.Category.TAKE_PART
        if len(bits) > 2 and bits[2]:
            if bits[2] not in CATEGORY_WORDS:
                raise forms.ValidationError(
                    _("Line %(n)s: the category is 出席, 列席 or 参加.") % {"n": n}
                )
            category = CATEGORY_WORDS[bits[2]]
        guests.append(
            Invitee(category=category, name=name, affiliation=bits[1] if len(bits) > 1 else "")
        )
    return guests


def suggested_title(org: PartyOrg, kind: str, when: datetime.datetime | None) -> str:
    """A title from the organisation, the kind and the month: "第一党支部2026年12月支部党员大会"."""
    label = str(MeetingKind(kind).label) if kind in MeetingKind.values else ""
    month = ""
    if when is not None:
        local = timezone.localtime(when)
        month = _("%(y)s-%(m)02d") % {"y": local.year, "m": local.month}
    return " ".join(x for x in (org.name, month, label) if x)


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PeopleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MeetingForm(forms.Form):
    """Plan a meeting of `org` (`edit=None`) or change a planned one (`edit=meeting`: no
    kind, series, members or invitees, which stay as planned)."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=gettext_lazy("Meeting title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty for a title made of the organisation, month and kind."),
    )
    starts_at = _dt_field(gettext_lazy("Starts at"))
    ends_at = _dt_field(gettext_lazy("Ends at"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    online_link = forms.URLField(
        label=gettext_lazy("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": gettext_lazy("Enter a web address (https://…).")},
    )
    description = forms.CharField(
        label=gettext_lazy("Notes for the invitees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    late_after_minutes = forms.IntegerField(
        label=gettext_lazy("Late after (minutes)"),
        min_value=0,
        max_value=240,
        initial=10,
        error_messages={"required": gettext_lazy("Give the minutes.")},
    )
    recorder = PersonChoice(
        label=gettext_lazy("Recorder"), queryset=Person.objects.none(), required=False
    )
    series = forms.ModelChoiceField(
        label=gettext_lazy("Series"),
        queryset=MeetingSeries.objects.none(),
        required=False,
        empty_label=gettext_lazy("— not in a series —"),
    )
    new_series = forms.CharField(
        label=gettext_lazy("Or a new series"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Its meetings are numbered 第1次, 第2次 … automatically."),
    )
    with_members = forms.BooleanField(
        label=gettext_lazy("Invite the organisation's members automatically"),
        required=False,
        initial=True,
    )
    attend = PeopleChoice(
        label=gettext_lazy("Also attending (出席)"), queryset=Person.objects.none(), required=False
    )
    sit_in = PeopleChoice(
        label=gettext_lazy("Sitting in (列席)"), queryset=Person.objects.none(), required=False
    )
    take_part = PeopleChoice(
        label=gettext_lazy("Taking part (参加)"), queryset=Person.objects.none(), required=False
    )
    guests = forms.CharField(
        label=gettext_lazy("Guests by name"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "张三 | 区委组织部 | 列席"}),
        help_text=gettext_lazy(
            "One a line: name | unit or title | 出席, 列席 or 参加 (default 参加)."
        ),
    )
    part_count = forms.IntegerField(min_value=1, max_value=MAX_PARTS, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        org: PartyOrg,
        edit: Meeting | None = None,
        parts: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.edit = edit
        people = people_for(org)
        self.people = people
        self.fields["recorder"].queryset = people  # type: ignore[attr-defined]
        if edit is not None:
            for name in ("kind", "series", "new_series", "with_members", *self.INVITE_FIELDS):
                del self.fields[name]
        else:
            self.fields["series"].queryset = MeetingSeries.objects.filter(org=org)  # type: ignore[attr-defined]
            for name in ("attend", "sit_in", "take_part"):
                self.fields[name].queryset = people  # type: ignore[attr-defined]
                self.fields[name].widget.attrs["size"] = 6
        count = parts or self._count_from_data() or 1
        count = max(1, min(count, MAX_PARTS))
        self.initial.setdefault("part_count", count)
        if self.is_bound:
            data = self.data.copy()  # type: ignore[attr-defined]
            data["part_count"] = str(count)
            self.data = data
        self.part_numbers = list(range(1, count + 1))
        for n in self.part_numbers:
            self.fields[f"part-{n}-title"] = forms.CharField(
                label=_("Part %(n)s: title") % {"n": n},
                max_length=120,
                required=False,
                help_text=_("e.g. 上半场 (first half); may be empty for a meeting in one part."),
            )
            self.fields[f"part-{n}-presider"] = PersonChoice(
                label=_("Presider"), queryset=people, required=False
            )
            self.fields[f"part-{n}-presider_name"] = forms.CharField(
                label=_("Or the presider's name"), max_length=60, required=False
            )
            self.fields[f"part-{n}-agenda"] = forms.CharField(
                label=_("Agenda"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "placeholder": "传达学习文件精神 | 书记"}),
                help_text=_("One item a line: title | who presents it."),
            )

    INVITE_FIELDS = ("attend", "sit_in", "take_part", "guests")

    def _count_from_data(self) -> int:
        raw = self.data.get("part_count", "") if self.is_bound else ""
        try:
            count = int(raw)
        except (TypeError, ValueError):
            return 0
        if self.is_bound and "add_part" in self.data:
            count += 1
        if self.is_bound and "remove_part" in self.data:
            count -= 1
        return count

    def part_blocks(self) -> list[dict[str, Any]]:
        """The bound fields of each part, for the template."""
        return [
            {
                "n": n,
                "title": self[f"part-{n}-title"],
                "presider": self[f"part-{n}-presider"],
                "presider_name": self[f"part-{n}-presider_name"],
                "agenda": self[f"part-{n}-agenda"],
            }
            for n in self.part_numbers
        ]

    def clean_guests(self) -> list[Invitee]:
        return parse_guests(self.cleaned_data.get("guests", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not data.get("place", "").strip() and not data.get("online_link"):
            self.add_error("place", _("Give a place or an online link."))
        if data.get("series") and data.get("new_series", "").strip():
            self.add_error("new_series", _("Choose a series or name a new one, not both."))
        if not data.get("title", "").strip():
            kind = data.get("kind") or (self.edit.kind if self.edit else "")
            data["title"] = suggested_title(self.org, kind, starts)
        for n in self.part_numbers:
            if data.get(f"part-{n}-presider") and data.get(f"part-{n}-presider_name", "").strip():
                self.add_error(
                    f"part-{n}-presider_name",
                    _("Choose a presider or type a name, not both."),
                )
        return data

    def part_specs(self) -> list[PartSpec]:
        data = self.cleaned_data
        return [
            PartSpec(
                title=data.get(f"part-{n}-title", ""),
                presider=data.get(f"part-{n}-presider"),
                presider_name=data.get(f"part-{n}-presider_name", ""),
                agenda=parse_agenda(data.get(f"part-{n}-agenda", "")),
            )
            for n in self.part_numbers
        ]

    def invitees(self) -> list[Invitee]:
        data = self.cleaned_data
        out = []
        for category in ("attend", "sit_in", "take_part"):
            for person in data.get(category) or []:
                out.append(Invitee(category=category, person=person))
        return out + list(data.get("guests") or [])

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        """The edit form's values from a planned meeting."""
        initial: dict[str, Any] = {
            "title": meeting.title,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "place": meeting.place,
            "online_link": meeting.online_link,
            "description": meeting.description,
            "late_after_minutes": meeting.late_after_minutes,
            "recorder": meeting.recorder_id,
        }
        parts = list(meeting.parts.prefetch_related("agenda"))
        initial["part_count"] = max(1, len(parts))
        for n, part in enumerate(parts, start=1):
            initial[f"part-{n}-title"] = part.title
            initial[f"part-{n}-presider"] = part.presider_id
            initial[f"part-{n}-presider_name"] = part.presider_name
            initial[f"part-{n}-agenda"] = "\n".join(
                f"{a.title} | {a.presenter}" if a.presenter else a.title for a in part.agenda.all()
            )
        return initial


class InviteForm(forms.Form):
    """Add a person of the directory or guests to a planned meeting."""

    person = PersonChoice(
        label=gettext_lazy("Person"), queryset=Person.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=Attendee.Category.choices,
        initial=Attendee.Category.ATTEND,
    )
    guests = forms.CharField(
        label=gettext_lazy("Guests by name"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "张三 | 区委组织部 | 列席"}),
        help_text=gettext_lazy(
            "One a line: name | unit or title | 出席, 列席 or 参加 (default 参加)."
        ),
    )

    def __init__(self, *args: Any, org: PartyOrg, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for(org)  # type: ignore[attr-defined]
        self.fields["person"].empty_label = _("— choose a person —")  # type: ignore[attr-defined]

    def clean_guests(self) -> list[Invitee]:
        return parse_guests(self.cleaned_data.get("guests", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person") and not data.get("guests") and not self.errors:
            raise forms.ValidationError(_("Choose a person or write a guest's name."))
        return data

    def invitees(self) -> list[Invitee]:
        data = self.cleaned_data
        out = []
        if data.get("person"):
            out.append(Invitee(category=data["category"], person=data["person"]))
        return out + list(data.get("guests") or [])


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Document title"), max_length=200, required=False)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A photo, a PDF, or a Word, Excel or PowerPoint file; at most 20 MB."
        ),
        error_messages={"required": gettext_lazy("Choose a file.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the meeting is cancelled.")},
    )


class FilterForm(forms.Form):
    """The list's filters; a wrong value is ignored (the list shows everything then)."""

    org = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=PartyOrg.objects.none(),
        required=False,
        empty_label=gettext_lazy("All organisations"),
        widget=FastSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *MeetingKind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *Meeting.Status.choices],
        required=False,
    )
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: Any, orgs: QuerySet[PartyOrg], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean_month(self) -> tuple[int, int] | None:
        raw = self.cleaned_data.get("month", "").strip()
        if not raw:
            return None
        year, _sep, month = raw.partition("-")
        if not (year.isdigit() and len(year) == 4) or (month and not month.isdigit()):
            raise forms.ValidationError(_("Give a month as 2026-05."))
        m = int(month) if month else 0
        if not 0 <= m <= 12 or not 1900 < int(year) < 2200:
            raise forms.ValidationError(_("Give a month as 2026-05."))
        return (int(year), m)
