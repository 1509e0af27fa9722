"""Scheduled jobs of branch rating (django-tasks). Each is safe to run twice.

`remind_to_publish` (daily, 08:30): the runners of every round whose public notice has
ended are told once (one notice per round: the event key carries the round and the end
date, so a second run, or the next day's, adds nothing) that it can be published, or that
objections still wait for their answer. Nothing publishes by itself: publication is a
decision of the organisation.
"""

from __future__ import annotations

import datetime

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def remind_to_publish() -> int:
    """Tell the runners of each round whose notice has ended; returns the rounds told."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    from juli.notify.actions import notify
    from juli.notify.text import lazy_format

    from .actions.review import publish_refusal, round_runners
    from .models import RatingRound
    from .notices import RATING_PUBLICITY

    today = timezone.localdate()
    told = 0
    for round_ in RatingRound.objects.filter(
        status=RatingRound.Status.PUBLICITY, publicity_ends__lt=today
    ).select_related("org"):
        users = round_runners(round_)
        if not users:
            continue
        refusal = publish_refusal(round_, today)
        notify(
            f"rating.round:{round_.pk}:to_publish:{round_.publicity_ends}",
            kind=RATING_PUBLICITY.key,
            title=lazy_format(
                gettext_lazy("Public notice ended: %(round)s can be published"),
                round=round_.title,
            ),
            text=refusal or gettext_lazy("No objection is open."),
            url=reverse("rating-round", args=[round_.pk]),
            users=users,
        )
        told += 1
    return told


schedule.register(
    Job("rating-publish", "juli.rating.tasks.remind_to_publish", at=datetime.time(8, 30))
)
