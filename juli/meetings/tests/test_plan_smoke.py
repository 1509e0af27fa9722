from juli.meetings.models import Attendee

from .conftest import make_meeting


def test_branch_meeting_lists_branch_and_group_members(mw):
    meeting = make_meeting(mw.c.branch1, actor=mw.c.branch_secretary)
    names = set(meeting.attendees.values_list("name", flat=True))
    assert {"冯党员", "卫党员"} <= names
    assert "蒋二支" not in names
    assert all(a.source == Attendee.Source.MEMBER for a in meeting.attendees.all())
