"""The case list's area select lists the upper levels only; a micro-grid is still accepted."""

from __future__ import annotations

import pytest

from juli.cases.forms import CaseFilterForm

pytestmark = pytest.mark.django_db


def _listed(form: CaseFilterForm) -> set[str]:
    return {str(value) for value, _label in form.fields["area"].choices if value != ""}  # type: ignore[attr-defined]


def test_micro_grids_are_accepted_but_not_listed(cast):  # type: ignore[no-untyped-def]
    form = CaseFilterForm({}, user=cast.district_admin)
    listed = _listed(form)
    assert str(cast.dapuqiao.pk) in listed and str(cast.mengxi.pk) in listed
    assert str(cast.grid1.pk) not in listed

    chosen = CaseFilterForm({"area": str(cast.grid1.pk)}, user=cast.district_admin)
    assert chosen.filters().area == cast.grid1
    assert str(cast.grid1.pk) in _listed(chosen)  # the select shows what is chosen
    assert str(cast.grid2.pk) not in _listed(chosen)


def test_an_area_out_of_scope_is_refused(cast):  # type: ignore[no-untyped-def]
    form = CaseFilterForm({"area": str(cast.huaihai.pk)}, user=cast.street_officer)
    assert form.filters().area is None
    assert "area" in form.errors


def test_the_area_select_reads_rows_and_indents_them_by_depth(cast, django_assert_num_queries):  # type: ignore[no-untyped-def]
    form = CaseFilterForm({"area": str(cast.grid1.pk)}, user=cast.district_admin)
    with django_assert_num_queries(1):
        labels = {str(v): label for v, label in form.fields["area"].choices}  # type: ignore[attr-defined]
    field = form.fields["area"]
    for area in (cast.huangpu, cast.dapuqiao, cast.mengxi, cast.grid1):
        assert labels[str(area.pk)] == field.label_from_instance(area)  # type: ignore[attr-defined]
        assert labels[str(area.pk)] == "\u3000" * (area.depth - 1) + area.name
    html = str(form["area"])
    assert f'<option value="{cast.grid1.pk}" selected>' in html
