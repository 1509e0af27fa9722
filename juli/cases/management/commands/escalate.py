"""`juli escalate`: escalate dispatched cases past their deadline (督办), each once.

Run it from cron every few minutes; two runs at once escalate each case once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from juli.cases.actions import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue dispatched cases to their unit and street, once each."

    def handle(self, *args: Any, **options: Any) -> None:
        cases = escalate_overdue()
        self.stdout.write(f"{len(cases)} cases escalated.")
        for case in cases:
            self.stdout.write(f"  {case.number} {case.title}")
