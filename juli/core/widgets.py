"""Form widgets that stay cheap when a select lists hundreds of rows.

Django renders every `<option>` through two template includes; a select of 500 units then
costs tens of milliseconds per page (measured in `bench/`: most of the case page's time). This
select writes the same markup in Python: one `format_html` per option, escaped the same way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """HTML attributes in the given order (Django's templates keep it: name, then the rest);
    True is a bare attribute, False and None are left out."""
    pairs = [(k, v) for k, v in attrs.items() if v is not True and v is not False and v is not None]
    bare = [(k,) for k, v in attrs.items() if v is True]
    return format_html(
        "{}{}", format_html_join("", ' {}="{}"', pairs), format_html_join("", " {}", bare)
    )


class FastSelect(forms.Select):
    """A single-choice `<select>` rendered in Python; same HTML as Django's `Select`."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        parts = []
        for key, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = self._options(label, chosen)
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', key, inner))
            else:
                parts.append(self._options([(key, label)], chosen))
        return format_html("<select{}>{}</select>", _attrs(final), mark_safe("".join(parts)))  # noqa: S308 - escaped above

    def _options(self, pairs: Any, chosen: set[str]) -> SafeString:
        selected = mark_safe(" selected")  # noqa: S308 - a constant
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if (k := self._key(key)) is None else k,
                    selected if str(k) in chosen else "",
                    label,
                )
                for key, label in pairs
            ),
        )

    @staticmethod
    def _key(key: Any) -> Any:
        return getattr(key, "value", key)  # ModelChoiceIteratorValue → the pk


class _ShownChoices(forms.models.ModelChoiceIterator):
    def __init__(self, field: Any) -> None:
        super().__init__(field)
        if getattr(field, "shown", None) is not None:
            self.queryset = field.shown

    def __iter__(self) -> Any:
        # One plain query: Django's iterator() opens a server-side cursor on PostgreSQL
        # (DECLARE, FETCH, CLOSE: three round trips) for what is a few dozen rows.
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        columns = getattr(self.field, "shown_columns", ())
        if columns:
            # Rows, not model instances: a select of 160 areas spent most of its time
            # building them.
            label = self.field.label_from_row  # type: ignore[attr-defined]
            for pk, *values in self.queryset.values_list("pk", *columns):
                yield (pk, label(*values))
            return
        for obj in self.queryset.all():
            yield self.choice(obj)


class ShownModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice whose select lists a short `shown` queryset while `queryset` (what the
    field accepts) may hold thousands: a forged or linked id is checked against `queryset`,
    the page stays small. Set `shown` before `queryset` (setting `queryset` builds the
    widget's choices)."""

    iterator = _ShownChoices
    shown: Any = None
    #: Set with `label_from_row`: the options are read as (pk, *columns) rows.
    shown_columns: tuple[str, ...] = ()

    def label_from_row(self, *values: Any) -> str:
        raise NotImplementedError


class PickerSelect(FastSelect):
    """A short select with a search box above it: typing fetches matching `<option>`s from
    `search_url` (htmx) into the select. Without JavaScript the short select still works.
    The search box has no form, so it is never submitted with the filters. `search_label`,
    when given, is shown above the search box (where another search box on the page could be
    taken for it)."""

    def __init__(
        self, *, search_url: str, blank: str = "", attrs: Any = None, search_label: Any = None
    ) -> None:
        super().__init__(attrs)
        self.search_url = search_url
        self.blank = blank
        self.search_label = search_label

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext

        select = super().render(name, value, attrs, renderer)
        chosen = next(iter(self.format_value(value)), "")
        url = reverse(self.search_url) + "?" + urlencode({"blank": self.blank, "selected": chosen})
        if self.search_label:
            return format_html(
                '<span class="picker labelled"><label class="picker-label"><span>{}</span>'
                '<input type="search" name="q" form="-" autocomplete="off" placeholder="{}"'
                ' hx-get="{}" hx-trigger="input changed delay:300ms" hx-target="next select"'
                ' hx-swap="innerHTML" hx-sync="this:replace"></label>{}</span>',
                self.search_label,
                gettext("Search…"),
                url,
                select,
            )
        return format_html(
            '<span class="picker"><input type="search" name="q" form="-" autocomplete="off"'
            ' placeholder="{}" aria-label="{}" hx-get="{}" hx-trigger="input changed delay:300ms"'
            ' hx-target="next select" hx-swap="innerHTML" hx-sync="this:replace">{}</span>',
            gettext("Search…"),
            gettext("Search"),
            url,
            select,
        )


def option_tags(pairs: Any, *, selected: str = "") -> SafeString:
    """`<option>`s for (value, label) pairs, as the search of a `PickerSelect` answers."""
    mark = mark_safe(" selected")  # noqa: S308 - a constant
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, mark if str(key) == selected else "", label) for key, label in pairs),
    )
