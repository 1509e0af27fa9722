from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "juli.stats"
    label = "stats"
    verbose_name = _("Dashboards and rollups")

    def ready(self) -> None:
        from juli.core.workflow import observe

        from .rollups import apply_event

        # The rollups move inside the transaction that appends each case event: every
        # event of the loop is written by `juli.core.workflow.append_event`, which calls
        # the observers of "cases.CaseEvent" there (see rollups.py).
        observe("cases.CaseEvent", apply_event)
