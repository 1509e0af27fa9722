from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "juli.stats"
    label = "stats"
    verbose_name = _("Dashboards and rollups")

    def ready(self) -> None:
        from juli.cases.models import CaseEvent

        from .rollups import on_case_event

        # The rollups move inside the transaction that appends the event (see rollups.py).
        post_save.connect(on_case_event, sender=CaseEvent, dispatch_uid="stats.case_event")
