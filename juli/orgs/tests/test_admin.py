"""The Django admin: district admins and the superuser only, scoped, audited, no deletes."""

from __future__ import annotations

import pytest

from juli.core.models import AuditLog
from juli.orgs.models import Person


@pytest.mark.parametrize(
    ("who", "status"),
    [("district_admin", 200), ("platform_admin", 200), ("street_officer", 302), ("outsider", 302)],
)
def test_it_opens_the_admin_to_district_admins_only(cast, client, who, status):
    client.force_login(getattr(cast, who))
    assert client.get("/admin/").status_code == status


def test_it_scopes_the_admin_lists(cast, client):
    client.force_login(cast.district_admin)
    names = [p.name for p in client.get("/admin/orgs/person/").context["cl"].result_list]
    assert "赵网格" in names  # a Huangpu grid worker
    assert "郑安阳" not in names  # an Anyang member
    assert client.get(f"/admin/orgs/person/{cast.outsider_person.pk}/change/").status_code == 302


def test_it_audits_admin_saves_and_refuses_deletes(cast, client):
    client.force_login(cast.district_admin)
    person = cast.grid_worker_person
    url = f"/admin/orgs/person/{person.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"name": "赵网格员", "occupation": "volunteer", "is_active": "on"})
    data["created_at_0"], data["created_at_1"] = person.created_at.strftime(
        "%Y-%m-%d %H:%M:%S"
    ).split()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.get(pk=person.pk).name == "赵网格员"
    row = AuditLog.objects.get(verb="admin.change")
    assert row.before is not None and row.after is not None
    assert row.before["name"] == "赵网格" and row.after["name"] == "赵网格员"
    assert (
        client.post(f"/admin/orgs/person/{person.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Person.objects.filter(pk=person.pk).exists()
