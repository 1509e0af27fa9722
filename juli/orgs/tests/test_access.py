from __future__ import annotations

import pytest

from juli.orgs import access


def test_it_scopes_orgs_to_the_posts_subtree(cast):
    names = set(access.visible_orgs(cast.branch_secretary).values_list("name", flat=True))
    assert names == {"第一党支部", "第一党小组"}


def test_it_gives_area_posts_the_orgs_attached_to_their_areas(cast):
    names = set(access.visible_orgs(cast.street_officer).values_list("name", flat=True))
    assert names == {"打浦桥街道党工委", "蒙西居民区党总支"}


def test_it_shows_an_outsider_only_their_own_branch(cast):
    assert list(access.visible_orgs(cast.outsider).values_list("name", flat=True)) == [
        "路灯管理中心党支部"
    ]
    assert access.visible_areas(cast.outsider).count() == 0


def test_it_limits_a_grid_worker_to_their_grid(cast):
    names = set(access.visible_areas(cast.grid_worker).values_list("name", flat=True))
    assert names == {"蒙西第一微网格", "蒙西1号楼组"}


@pytest.mark.parametrize(
    ("viewer", "phone"),
    [
        ("street_officer", "13800000004"),
        ("district_admin", "13800000004"),
        ("inspector", "138****0004"),
    ],
)
def test_it_masks_phones_for_roles_that_do_not_need_them(cast, viewer, phone):
    assert access.phone_for(getattr(cast, viewer), cast.grid_worker_person) == phone


def test_it_lets_a_street_officer_see_the_posts_and_members_of_the_streets_orgs(cast):
    from juli.orgs import actions

    secretary = actions.create_person(None, name="党工委书记", party_org=cast.dpq_committee)
    post = actions.appoint(None, secretary, "party_secretary", org=cast.dpq_committee)
    assert access.visible_posts(cast.street_officer).filter(pk=post.pk).exists()
    assert access.visible_people(cast.street_officer).filter(pk=secretary.pk).exists()
    assert not access.visible_people(cast.branch_secretary).filter(pk=secretary.pk).exists()


def test_it_refuses_to_appoint_someone_the_actor_cannot_see(cast):
    from django.core.exceptions import PermissionDenied

    from juli.orgs import actions

    with pytest.raises(PermissionDenied):
        actions.appoint(cast.street_officer, cast.outsider_person, "grid_worker", area=cast.grid1)


def test_the_membership_read_from_the_joined_user_is_the_queried_one(cast):  # type: ignore[no-untyped-def]
    """Requests load the user with person and party organisation joined; scope_of then
    reads the membership from them. It must agree with the query it replaces, also for a
    retired organisation and for a person outside any."""
    from juli.orgs.auth import UsernameOrPhoneBackend
    from juli.orgs.models import PartyOrg, User

    backend = UsernameOrPhoneBackend()

    def both(user: User) -> tuple[frozenset[str], frozenset[str]]:
        joined = backend.get_user(user.pk)
        plain = User.objects.get(pk=user.pk)  # nothing joined: the query path
        assert joined is not None and User.person.is_cached(joined)
        return access.scope_of(joined).roles, access.scope_of(plain).roles

    joined, plain = both(cast.branch_secretary)
    assert joined == plain and "branch_member" in joined
    joined, plain = both(cast.district_admin)
    assert joined == plain
    PartyOrg.objects.filter(pk=cast.branch1.pk).update(status=PartyOrg.Status.RETIRED)
    joined, plain = both(cast.branch_secretary)
    assert joined == plain and "branch_member" not in joined
