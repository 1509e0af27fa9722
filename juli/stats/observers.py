"""What stats observes of other apps' event logs (found by `juli.core.workflow`'s discovery).

The rollups move inside the transaction that appends each case event: every event of the
loop is written by `juli.core.workflow.append_event`, which calls the observers of
"cases.CaseEvent" there (see rollups.py). Rows written around it (the benchmark generator's
COPY, raw SQL) are caught up by `rollups.refresh` and the hourly job.
"""

from juli.core.workflow import observe

from .rollups import apply_event

observe("cases.CaseEvent", apply_event)
