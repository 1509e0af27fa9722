"""Background tasks of the core app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def make_thumbnail(model_label: str, pk: str) -> str | None:
    """Make the missing thumbnail of one photo row ("core.Upload" or "cases.CasePhoto").

    Returns the stored name, or None when there was nothing to do (already made, row gone).
    """
    from .actions import store_thumbnail

    return store_thumbnail(model_label, pk)
