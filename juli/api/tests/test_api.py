"""The read API of the organisation system, its token sign-in and its schema."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from axes.models import AccessAttempt
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.orgs import access, actions
from juli.orgs.models import Post, User
from juli.orgs.roles import Role

PASSWORD = "juli-test-Pass1"
TOKEN_URL = "/api/v1/auth/token/"

VISIBLE: dict[str, Callable[[Any], QuerySet[Any]]] = {
    "units": access.visible_units,
    "orgs": access.visible_orgs,
    "areas": access.visible_areas,
    "people": access.visible_people,
    "posts": access.visible_posts,
}
VIEWERS = [
    "outsider",
    "sibling_secretary",
    "branch_secretary",
    "bureau_secretary",
    "street_officer",
    "inspector",
    "grid_worker",
    "unit_staff",
    "district_admin",
    "platform_admin",
]


def _client(user: Any = None) -> APIClient:
    """A client signed in as a fresh copy of `user`, so no scope is cached between requests."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def _post_token(client: APIClient, username: str, password: str, **extra: str) -> Any:
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


# --- Access: lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(VISIBLE))
def test_it_refuses_anonymous_lists_with_401(cast, endpoint):
    response = _client().get(f"/api/v1/{endpoint}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("endpoint", sorted(VISIBLE))
def test_it_lists_exactly_what_visible_gives(cast, endpoint, viewer):
    user = getattr(cast, viewer)
    response = _client(user).get(f"/api/v1/{endpoint}/", {"page_size": 200})
    assert response.status_code == 200
    expected = set(VISIBLE[endpoint](User.objects.get(pk=user.pk)).values_list("pk", flat=True))
    assert _ids(response) == expected


@pytest.mark.parametrize(
    ("viewer", "names"),
    [
        ("outsider", {"路灯管理中心党支部"}),
        ("sibling_secretary", {"第二党支部"}),
        ("branch_secretary", {"第一党支部", "第一党小组"}),
        (
            "bureau_secretary",
            {"普陀区绿化和市容管理局党组", "第一党支部", "第二党支部", "第一党小组"},
        ),
        ("street_officer", {"打浦桥街道党工委", "蒙西居民区党总支"}),
        ("grid_worker", set()),
    ],
)
def test_it_lists_the_orgs_of_each_scope(cast, viewer, names):
    response = _client(getattr(cast, viewer)).get("/api/v1/orgs/")
    assert {row["name"] for row in response.json()["results"]} == names


def test_it_lists_areas_and_people_of_a_grid_workers_grid_only(cast):
    client = _client(cast.grid_worker)
    areas = client.get("/api/v1/areas/").json()["results"]
    assert [a["name"] for a in areas] == ["蒙西第一微网格", "蒙西1号楼组"]
    people = client.get("/api/v1/people/").json()["results"]
    assert {p["name"] for p in people} == {"赵网格"}


# --- Access: details ----------------------------------------------------------------------------

ORG_SCOPED = [
    ("outsider", 404),
    ("sibling_secretary", 404),
    ("grid_worker", 404),
    ("bureau_secretary", 200),
    ("branch_secretary", 200),
    ("platform_admin", 200),
]
AREA_SCOPED = [
    ("outsider", 404),
    ("other_grid_worker", 404),
    ("branch_secretary", 404),
    ("street_officer", 200),
    ("grid_worker", 200),
    ("platform_admin", 200),
]
UNIT_SCOPED = [
    ("outsider", 404),
    ("grid_worker", 404),
    ("bureau_secretary", 404),
    ("street_officer", 200),
    ("unit_staff", 200),
    ("platform_admin", 200),
]


def _target(cast: Any, endpoint: str) -> int:
    if endpoint == "posts":
        return cast.branch_secretary_person.posts.get().pk
    attr = {
        "orgs": "branch1",
        "people": "member_person",
        "areas": "grid1",
        "units": "property_co",
    }[endpoint]
    return getattr(cast, attr).pk


@pytest.mark.parametrize(
    ("endpoint", "viewer", "status"),
    [("orgs", v, s) for v, s in ORG_SCOPED]
    + [("people", v, s) for v, s in ORG_SCOPED]
    + [("posts", v, s) for v, s in ORG_SCOPED]
    + [("areas", v, s) for v, s in AREA_SCOPED]
    + [("units", v, s) for v, s in UNIT_SCOPED],
)
def test_it_gives_details_only_inside_the_scope(cast, endpoint, viewer, status):
    pk = _target(cast, endpoint)
    before = AuditLog.objects.count()
    response = _client(getattr(cast, viewer)).get(f"/api/v1/{endpoint}/{pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == pk
    else:
        # Out of scope looks exactly like an id that does not exist.
        missing = _client(getattr(cast, viewer)).get(f"/api/v1/{endpoint}/999999/")
        assert missing.status_code == 404
        assert response.json() == missing.json()
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize("endpoint", sorted(VISIBLE))
def test_it_refuses_anonymous_details_with_401(cast, endpoint):
    response = _client().get(f"/api/v1/{endpoint}/{_target(cast, endpoint)}/")
    assert response.status_code == 401


def test_it_describes_an_org_with_parent_depth_and_counts(cast):
    actions.appoint(None, cast.member_person, Role.COMMITTEE_MEMBER, org=cast.branch1)
    response = _client(cast.bureau_secretary).get(f"/api/v1/orgs/{cast.branch1.pk}/")
    assert response.json() == {
        "id": cast.branch1.pk,
        "name": "第一党支部",
        "short_name": "",
        "kind": "branch",
        "status": "active",
        "code": "PT-B1",
        "parent": cast.putuo.pk,
        "depth": 2,
        "unit": {"id": cast.putuo_unit.pk, "name": "普陀区绿化和市容管理局"},
        "area": None,
        "is_retired_members": False,
        "founded_on": None,
        "ended_at": None,
        "merged_into": None,
        "children_count": 1,
        "members_count": 2,
        "posts_count": 2,
    }


def test_it_gives_the_same_org_row_in_list_and_detail(cast):
    client = _client(cast.street_officer)
    listed = {row["id"]: row for row in client.get("/api/v1/orgs/").json()["results"]}
    detail = client.get(f"/api/v1/orgs/{cast.mengxi_org.pk}/").json()
    assert listed[cast.mengxi_org.pk] == detail
    assert detail["parent"] == cast.dpq_committee.pk
    assert detail["area"] == {"id": cast.mengxi.pk, "name": "蒙西居民区"}
    assert listed[cast.dpq_committee.pk]["parent"] is None


def test_it_gives_an_areas_boundary_in_the_detail_only(cast):
    client = _client(cast.street_officer)
    listed = client.get("/api/v1/areas/").json()["results"]
    assert [a["name"] for a in listed] == [
        "打浦桥街道",
        "蒙西居民区",
        "蒙西第一微网格",
        "蒙西1号楼组",
        "蒙西第二微网格",
    ]
    assert "boundary" not in listed[0]
    detail = client.get(f"/api/v1/areas/{cast.mengxi.pk}/").json()
    assert detail["boundary"] is None
    assert detail["parent"] == cast.dapuqiao.pk
    assert detail["children_count"] == 2
    assert detail["depth"] == 3


def test_it_hides_internal_fields_of_people(cast):
    row = _client(cast.platform_admin).get(f"/api/v1/people/{cast.member_person.pk}/").json()
    assert set(row) == {
        "id",
        "name",
        "gender",
        "birth_year",
        "phone",
        "political_status",
        "occupation",
        "party_joined_on",
        "unit",
        "party_org",
        "area",
        "is_active",
        "created_at",
    }
    assert row["party_org"] == {"id": cast.branch1.pk, "name": "第一党支部"}


# --- Phone masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "phone"),
    [
        ("street_officer", "13800000004"),
        ("district_admin", "13800000004"),
        ("grid_worker", "13800000004"),
        ("inspector", "138****0004"),
    ],
)
def test_it_masks_phones_as_phone_for_decides(cast, viewer, phone):
    client = _client(getattr(cast, viewer))
    pk = cast.grid_worker_person.pk
    assert client.get(f"/api/v1/people/{pk}/").json()["phone"] == phone
    listed = {p["id"]: p["phone"] for p in client.get("/api/v1/people/").json()["results"]}
    assert listed[pk] == phone


# --- Filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"kind": "branch"}, {"第一党支部", "第二党支部"}),
        ({"status": "retired"}, set()),
        ({"depth": 1}, {"普陀区绿化和市容管理局党组"}),
        ({"q": "第一"}, {"第一党支部", "第一党小组"}),
        ({"q": "DIYI"}, {"第一党支部", "第一党小组"}),
        ({"q": "pt-b2"}, {"第二党支部"}),
    ],
)
def test_it_filters_orgs(cast, query, names):
    response = _client(cast.bureau_secretary).get("/api/v1/orgs/", query)
    assert {row["name"] for row in response.json()["results"]} == names


def test_it_filters_orgs_by_parent_within_the_scope(cast):
    bureau = _client(cast.bureau_secretary).get("/api/v1/orgs/", {"parent": cast.putuo.pk})
    assert {row["name"] for row in bureau.json()["results"]} == {"第一党支部", "第二党支部"}
    sibling = _client(cast.sibling_secretary).get("/api/v1/orgs/", {"parent": cast.putuo.pk})
    assert [row["name"] for row in sibling.json()["results"]] == ["第二党支部"]
    nothing = _client(cast.bureau_secretary).get("/api/v1/orgs/", {"parent": 999999})
    assert nothing.json()["results"] == []


def test_it_refuses_a_malformed_id_filter(cast):
    response = _client(cast.bureau_secretary).get("/api/v1/orgs/", {"parent": "1.5"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Enter a whole number.",
        "code": "invalid",
        "fields": {"parent": ["Enter a whole number."]},
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"kind": "micro_grid"}, {"蒙西第一微网格", "蒙西第二微网格"}),
        ({"parent": "mengxi"}, {"蒙西第一微网格", "蒙西第二微网格"}),
        ({"q": "mengxi"}, {"蒙西居民区", "蒙西第一微网格", "蒙西第二微网格", "蒙西1号楼组"}),
        ({"q": "310101013001"}, {"蒙西居民区", "蒙西第一微网格", "蒙西第二微网格", "蒙西1号楼组"}),
    ],
)
def test_it_filters_areas(cast, query, names):
    query = {k: getattr(cast, v).pk if k == "parent" else v for k, v in query.items()}
    response = _client(cast.street_officer).get("/api/v1/areas/", query)
    assert {row["name"] for row in response.json()["results"]} == names


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"party_org": "branch1"}, {"单田芳", "冯党员"}),
        ({"political_status": "member"}, {"冯党员"}),
        ({"occupation": "other"}, {"单田芳", "周局长", "吴二支", "冯党员"}),
        ({"q": "shantian"}, {"单田芳"}),
        ({"q": "冯"}, {"冯党员"}),
    ],
)
def test_it_filters_people(cast, query, names):
    query = {k: getattr(cast, v).pk if k == "party_org" else v for k, v in query.items()}
    response = _client(cast.bureau_secretary).get("/api/v1/people/", query)
    assert {row["name"] for row in response.json()["results"]} == names


def test_it_filters_people_by_area(cast):
    response = _client(cast.street_officer).get("/api/v1/people/", {"area": cast.grid2.pk})
    assert [row["name"] for row in response.json()["results"]] == ["钱网格"]


def test_it_filters_posts(cast):
    ended = actions.appoint(
        None,
        cast.member_person,
        Role.COMMITTEE_MEMBER,
        org=cast.branch1,
        started_on=datetime.date(2024, 1, 1),
    )
    # A post ended today is still in force today; this one ended last year.
    Post.objects.filter(pk=ended.pk).update(ended_on=datetime.date(2024, 6, 30))
    client = _client(cast.bureau_secretary)

    def ids(**query: Any) -> set[int]:
        return _ids(client.get("/api/v1/posts/", query))

    all_posts = set(access.visible_posts(cast.bureau_secretary).values_list("pk", flat=True))
    assert ended.pk in all_posts
    assert ids(current="true") == all_posts - {ended.pk}
    assert ids(current="false") == {ended.pk}
    assert ids(role="committee_member") == {ended.pk}
    assert ids(person=cast.member_person.pk) == {ended.pk}
    assert ids(org=cast.branch2.pk) == {cast.sibling_secretary_person.posts.get().pk}
    area_posts = _client(cast.street_officer).get("/api/v1/posts/", {"area": cast.grid1.pk})
    assert _ids(area_posts) == {cast.grid_worker_person.posts.get().pk}


# --- Pagination and query counts --------------------------------------------------------------------


def test_it_pages_with_a_cursor_without_repeats(cast):
    client = _client(cast.platform_admin)
    first = client.get("/api/v1/people/", {"page_size": 4}).json()
    assert len(first["results"]) == 4
    seen = _ids_of(first)
    url = first["next"]
    while url:
        page = client.get(url).json()
        assert not (seen & _ids_of(page))
        seen |= _ids_of(page)
        url = page["next"]
    assert seen == set(access.visible_people(cast.platform_admin).values_list("pk", flat=True))


def _ids_of(page: dict[str, Any]) -> set[int]:
    return {row["id"] for row in page["results"]}


def _grow(cast: Any, endpoint: str, start: int, count: int) -> None:
    for i in range(start, start + count):
        if endpoint == "orgs":
            actions.create_org(
                None,
                cast.putuo,
                name=f"测试支部{i}",
                kind="branch",
                code=f"PT-T{i}",
                unit=cast.putuo_unit,
            )
        elif endpoint in {"people", "posts"}:
            person = actions.create_person(
                None,
                name=f"测试{i}",
                phone=f"139{i:08d}",
                party_org=cast.branch1,
                unit=cast.putuo_unit,
                area=cast.huaihai,
            )
            if endpoint == "posts":
                actions.appoint(None, person, Role.COMMITTEE_MEMBER, org=cast.branch1)
        elif endpoint == "units":
            actions.create_unit(None, name=f"测试公司{i}", kind="company", area=cast.dapuqiao)
        else:
            actions.create_area(
                None, cast.mengxi, name=f"测试网格{i}", kind="micro_grid", code=f"T-{i}"
            )


LIST_VIEWERS = {
    "orgs": "bureau_secretary",
    "people": "bureau_secretary",
    "posts": "bureau_secretary",
    "units": "street_officer",
    "areas": "street_officer",
}


@pytest.mark.parametrize(
    ("endpoint", "queries"),
    # Scope (2: posts, membership; +1 for area posts: the organisations attached to their
    # areas) + one page query. Token auth adds one lookup.
    [("orgs", 3), ("people", 3), ("posts", 3), ("units", 4), ("areas", 4)],
)
def test_it_lists_with_a_fixed_number_of_queries(cast, endpoint, queries):
    viewer = getattr(cast, LIST_VIEWERS[endpoint])
    counts = []
    for start, count in ((0, 5), (5, 95)):
        _grow(cast, endpoint, start, count)
        client = _client(viewer)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/{endpoint}/", {"page_size": 200})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= start + count
        counts.append(len(ctx.captured_queries))
    assert counts == [queries, queries]


# --- Token sign-in ----------------------------------------------------------------------------------


def test_it_issues_a_token_for_the_right_password(cast):
    response = _post_token(APIClient(), "branch_secretary", PASSWORD)
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=cast.branch_secretary).key}
    row = AuditLog.objects.get(verb="account.token")
    assert (row.actor_id, row.object_id, row.note) == (
        cast.branch_secretary.pk,
        str(cast.branch_secretary.pk),
        "API token issued",
    )


def test_it_issues_a_token_by_phone_number(cast):
    response = _post_token(APIClient(), "13800000007", PASSWORD)
    assert response.status_code == 200
    assert Token.objects.get(key=response.json()["token"]).user_id == cast.branch_secretary.pk


def test_it_gives_the_same_token_twice_and_records_both(cast):
    first = _post_token(APIClient(), "branch_secretary", PASSWORD).json()["token"]
    second = _post_token(APIClient(), "branch_secretary", PASSWORD).json()["token"]
    assert first == second
    notes = list(
        AuditLog.objects.filter(verb="account.token").order_by("id").values_list("note", flat=True)
    )
    assert notes == ["API token issued", "API token re-issued"]


def test_it_refuses_wrong_credentials_without_telling_whether_the_user_exists(cast):
    wrong_password = _post_token(APIClient(), "branch_secretary", "wrong-Pass-123")
    no_such_user = _post_token(APIClient(), "nobody_here", "wrong-Pass-123")
    assert wrong_password.status_code == no_such_user.status_code == 400
    assert wrong_password.json() == no_such_user.json()
    assert wrong_password.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()
    assert not AuditLog.objects.filter(verb="account.token").exists()


def test_it_refuses_an_incomplete_request(cast):
    response = APIClient().post(TOKEN_URL, {"username": "branch_secretary"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"password"}


def test_it_locks_the_account_after_five_failures(cast):
    client = APIClient()
    statuses = [
        _post_token(client, "branch_secretary", "wrong-Pass-123").status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = _post_token(client, "branch_secretary", PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert not Token.objects.exists()


def test_it_counts_username_and_phone_against_the_same_account(cast):
    client = APIClient()
    for i in range(5):
        _post_token(client, "branch_secretary" if i % 2 else "13800000007", "wrong-Pass-123")
    assert AccessAttempt.objects.get().username == "branch_secretary"
    by_phone = _post_token(client, "13800000007", PASSWORD)
    by_name = _post_token(client, "branch_secretary", PASSWORD)
    assert (by_phone.status_code, by_name.status_code) == (429, 429)
    assert by_phone.json()["code"] == "locked"


def test_it_locks_out_the_login_page_after_api_failures(cast):
    for _ in range(5):
        _post_token(APIClient(), "branch_secretary", "wrong-Pass-123")
    response = Client().post(
        "/login/",
        {"username": "branch_secretary", "password": PASSWORD},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked"


def test_it_clears_failures_when_a_token_is_issued(cast):
    client = APIClient()
    for _ in range(4):
        _post_token(client, "branch_secretary", "wrong-Pass-123")
    assert _post_token(client, "branch_secretary", PASSWORD).status_code == 200
    statuses = [
        _post_token(client, "branch_secretary", "wrong-Pass-123").status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 400]
    assert _post_token(client, "branch_secretary", PASSWORD).status_code == 200


def _totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Juli", confirmed=True)


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_it_asks_for_the_second_factor(cast):
    _totp_device(cast.street_officer)
    response = _post_token(APIClient(), "street_officer", PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "otp_required"
    assert not Token.objects.exists()


def test_it_issues_a_token_with_a_valid_second_factor(cast):
    device = _totp_device(cast.street_officer)
    response = _post_token(APIClient(), "street_officer", PASSWORD, otp=_code(device))
    assert response.status_code == 200
    assert Token.objects.get(key=response.json()["token"]).user_id == cast.street_officer.pk


def test_it_counts_a_wrong_code_as_a_failed_sign_in(cast):
    device = _totp_device(cast.street_officer)
    wrong = f"{(int(_code(device)) + 1) % 10**device.digits:0{device.digits}d}"
    response = _post_token(APIClient(), "street_officer", PASSWORD, otp=wrong)
    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"
    assert AccessAttempt.objects.get(username="street_officer").failures_since_start == 1
    assert not Token.objects.exists()


def test_it_authenticates_me_with_the_token(cast):
    key = _post_token(APIClient(), "branch_secretary", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": cast.branch_secretary.pk,
        "username": "branch_secretary",
        "is_superuser": False,
        "must_change_password": False,
    }
    assert body["person"]["phone"] == "13800000007"
    assert body["roles"] == ["branch_member", "party_secretary"]
    assert [(p["role"], p["org"]["name"], p["is_current"]) for p in body["posts"]] == [
        ("party_secretary", "第一党支部", True)
    ]


def test_it_describes_a_superuser_without_a_person(cast):
    body = _client(cast.platform_admin).get("/api/v1/me/").json()
    assert body == {
        "user": {
            "id": cast.platform_admin.pk,
            "username": "platform_admin",
            "is_superuser": True,
            "must_change_password": False,
        },
        "person": None,
        "roles": [],
        "posts": [],
    }


def test_it_refuses_me_to_anonymous_and_bad_tokens(cast):
    assert APIClient().get("/api/v1/me/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_the_token_check_loads_the_person_and_membership_with_the_user(cast):
    from rest_framework import exceptions

    from juli.api.authentication import UserTokenAuthentication

    check = UserTokenAuthentication()
    token = Token.objects.create(user=cast.branch_secretary)
    with CaptureQueriesContext(connection) as queries:
        user, found = check.authenticate_credentials(token.key)
    assert found == token and len(queries) == 1
    assert User.person.is_cached(user) and user.person.party_org is not None
    with CaptureQueriesContext(connection) as queries:
        roles = access.scope_of(user).roles
    assert roles == {"branch_member", "party_secretary"}
    assert len(queries) == 1  # the posts only: the membership came with the user
    # Refusals are DRF's own.
    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid token"):
        check.authenticate_credentials("not-a-real-token")
    User.objects.filter(pk=cast.branch_secretary.pk).update(is_active=False)
    with pytest.raises(exceptions.AuthenticationFailed, match="inactive"):
        check.authenticate_credentials(token.key)


def test_it_revokes_the_callers_token(cast):
    key = _post_token(APIClient(), "branch_secretary", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.exists()
    assert AuditLog.objects.filter(verb="account.token").latest("id").note == "API token revoked"
    assert client.get("/api/v1/me/").status_code == 401


def test_it_refuses_to_revoke_for_anonymous(cast):
    Token.objects.create(user=cast.branch_secretary)
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert Token.objects.count() == 1


# --- Schema and doc pages -----------------------------------------------------------------------


def test_it_serves_a_valid_openapi_schema(cast):
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert {
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/orgs/",
        "/api/v1/orgs/{id}/",
        "/api/v1/areas/",
        "/api/v1/areas/{id}/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/posts/",
        "/api/v1/posts/{id}/",
    } <= set(schema["paths"])
    token = schema["paths"]["/api/v1/auth/token/"]
    assert token["post"]["operationId"] == "auth_token_create"
    assert set(token["post"]["responses"]) == {"200", "400", "415", "429"}


@pytest.mark.parametrize("doc_page", ["docs", "redoc"])
def test_it_serves_doc_pages_from_local_static_files_only(cast, doc_page):
    response = APIClient().get(f"/api/v1/{doc_page}/")
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs
    assert not [r for r in refs if "//" in r]
    static = [r for r in refs if r.startswith("/static/")]
    assert static
    for ref in static:
        assert finders.find(ref.removeprefix("/static/")), ref
