"""Branch rating in the main menu (`juli.core.menu`), in the group 组织生活 (party life) that
meetings declare (`meetings.menu.PARTY_LIFE`, registered again here so that the rating app
stands alone):

- 星级评定 (`rating-rounds`): the rounds one sees, for anyone in a party organisation
  (`access.shows_rating`: a branch reads its own assessment and what is published);
- 评星标准 (`rating-standards`): for those who run rounds over an organisation
  (`access.runs_rounds`).

Orders follow the group's: meetings 10, my meetings 20, compliance 30, news 40.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register, register_group
from juli.meetings.menu import PARTY_LIFE

from .access import runs_rounds, shows_rating

register_group(PARTY_LIFE)

register(
    MenuEntry(
        "rating_rounds",
        _("Star rating"),
        "rating-rounds",
        group=PARTY_LIFE.key,
        order=50,
        visible=shows_rating,
    ),
    MenuEntry(
        "rating_standards",
        _("Rating standards"),
        "rating-standards",
        group=PARTY_LIFE.key,
        order=60,
        visible=runs_rounds,
    ),
)
