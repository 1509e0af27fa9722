"""The unit search behind unit selects: only units in the user's scope, escaped options."""

from __future__ import annotations

import pytest
from django.urls import reverse

from juli.orgs import actions

pytestmark = pytest.mark.django_db


def _options(client, **params):  # type: ignore[no-untyped-def]
    return client.get(reverse("unit-options"), params)


def test_it_answers_the_units_in_scope_whose_name_holds_the_text(cast, client):
    actions.create_unit(None, name="打浦桥保洁公司", kind="property", area=cast.dapuqiao)
    client.force_login(cast.street_officer)
    answer = _options(client, q="公司", blank="all", selected=str(cast.property_co.pk))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.startswith('<option value="">All units</option>')
    assert f'<option value="{cast.property_co.pk}" selected>蒙西物业公司</option>' in html
    assert "打浦桥保洁公司" in html
    assert "普陀区绿化和市容管理局" not in html  # another district's unit: out of scope
    assert html.count("<option") == 3


def test_it_answers_nothing_out_of_scope_and_refuses_strangers(cast, client):
    client.force_login(cast.outsider)
    assert _options(client, q="物业").content.decode() == ""
    client.logout()
    anonymous = _options(client, q="物业")
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]


def test_it_escapes_unit_names(cast, client):
    actions.update_unit(None, cast.property_co, name="<script>alert(1)</script>物业")
    client.force_login(cast.street_officer)
    html = _options(client, q="物业").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;物业" in html
