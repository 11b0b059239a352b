"""Background jobs: uploads acknowledged at once, processed by the worker with their progress
on the job's page; a dead worker's job shown as failed and run again; region scope."""

from __future__ import annotations

import re
from datetime import timedelta

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from dixian.core import jobs
from dixian.core.models import AuditEvent, Job
from dixian.core.roles import Role
from dixian.registry import importing, snapshot
from dixian.registry.models import Household, ImportBatch
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _registry_file(n=2, village=VILLAGE) -> bytes:
    return snapshot.export(households_and_members(n, village), fmt="xlsx",
                           file_layout="national")


def _upload(client, data, name="乐元村.xlsx"):
    return client.post("/imports/", {"file": SimpleUploadedFile(name, data)})


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:300]
    found = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert found, response["Location"]
    return Job.objects.get(pk=int(found.group(1)))


# ---------------------------------------------------------------- the lifecycle
@pytest.mark.django_db
def test_an_upload_redirects_to_its_job_which_with_the_immediate_backend_has_finished(
        client, users):
    admin = users[Role.COUNTY_ADMIN]
    client.force_login(admin)
    job = _job_of(_upload(client, _registry_file()))
    assert (job.kind, job.status, job.stage) == (Job.Kind.REGISTRY_IMPORT, "done", "done")
    assert job.actor == admin and job.scope_code == COUNTY
    assert (job.done, job.total) == (importing.STEPS, importing.STEPS)
    assert job.started_at <= job.finished_at
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED and Household.objects.count() == 2
    assert job.result_url == f"/imports/{batch.pk}/"
    # the original was kept first, where the importer keeps it: the batch reuses the file
    assert job.file.name == batch.original.name
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/imports/{batch.pk}/"' in page and "<progress" in page
    assert "hx-trigger" not in page  # finished: no more refreshing
    state = client.get(f"/jobs/{job.pk}/status.json").json()
    assert state["status"] == "done" and state["result_url"] == f"/imports/{batch.pk}/"
    assert state["finished"] is True and state["elapsed_seconds"] >= 0
    actions = list(AuditEvent.objects.filter(object_type="core.job", object_id=str(job.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["job.create", "job.finish"]
    # the list of recent jobs, on the import page and on its own
    assert f'href="/jobs/{job.pk}/"' in client.get("/imports/").content.decode()
    assert f'href="/jobs/{job.pk}/"' in client.get("/jobs/").content.decode()


@pytest.mark.django_db
def test_sending_the_same_file_again_is_harmless(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    data = _registry_file()
    first, again = _job_of(_upload(client, data)), _job_of(_upload(client, data))
    assert first.status == again.status == "done"
    batches = list(ImportBatch.objects.order_by("pk").values_list("status", flat=True))
    assert batches == ["applied", "duplicate"] and Household.objects.count() == 2


def test_the_importer_reports_its_steps_through_the_callback(county_regions, db):
    from dixian.engine.scope import RegionScope

    heard = []
    importing.import_file(_registry_file(), "f.xlsx", scope=RegionScope.of(COUNTY),
                          progress=lambda stage, done, total: heard.append((stage, done,
                                                                             total)))
    assert [s for s, _d, _t in heard] == ["reading", "matching", "validating", "writing"]
    assert [d for _s, d, _t in heard] == [0, 1, 2, 3]
    # and without a callback it reports nothing and works the same
    assert importing.import_file(_registry_file(1), "g.xlsx",
                                 scope=RegionScope.of(COUNTY)).applied


@pytest.mark.django_db
def test_a_file_with_errors_is_a_finished_job_whose_result_is_the_report(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    job = _job_of(_upload(client, b"a,b\n1,2,3\n", name="户信息.csv"))
    batch = ImportBatch.objects.get()
    assert job.status == "done" and batch.status == ImportBatch.Status.REJECTED
    assert job.result_url == f"/imports/{batch.pk}/"


@pytest.mark.django_db
def test_a_failing_job_says_why_and_can_be_run_again(client, users, monkeypatch):
    client.force_login(users[Role.COUNTY_ADMIN])

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(importing, "apply_tables", broken)
    job = _job_of(_upload(client, _registry_file()))
    assert job.status == "failed" and "RuntimeError" in job.error
    assert Household.objects.count() == 0  # nothing half-applied
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "RuntimeError" in page and 'id="job-rerun"' in page
    monkeypatch.undo()
    # someone else in the county sees it but may not run it again
    other = make_user(Role.COUNTY_ADMIN, COUNTY, username="second-admin")
    client.force_login(other)
    assert 'id="job-rerun"' not in client.get(f"/jobs/{job.pk}/").content.decode()
    assert client.post(f"/jobs/{job.pk}/rerun/").status_code == 403
    client.force_login(users[Role.COUNTY_ADMIN])
    rerun = _job_of(client.post(f"/jobs/{job.pk}/rerun/"))
    assert rerun.rerun_of == job and rerun.status == "done"
    assert rerun.file.name == job.file.name and Household.objects.count() == 2
    # a finished job is not run again
    response = client.post(f"/jobs/{rerun.pk}/rerun/")
    assert response.status_code == 302 and Job.objects.count() == 2


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_shown_failed_and_runs_again(client, users, settings):
    admin = users[Role.COUNTY_ADMIN]
    client.force_login(admin)
    from dixian.registry import tasks

    job = jobs.do_create_job(Job.Kind.REGISTRY_IMPORT, actor=admin, scope_code=COUNTY,
                             task=tasks.import_upload, data=_registry_file(),
                             file_name="乐元村.xlsx")
    long_ago = timezone.now() - timedelta(seconds=settings.DIXIAN_JOB_STALE_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(status="running", stage="writing", started_at=long_ago,
                                         heartbeat_at=long_ago, done=3, total=4)
    state = client.get(f"/jobs/{job.pk}/status.json").json()
    assert state["status"] == "failed" and "重新运行" in state["error"]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-rerun"' in page and "hx-trigger" not in page
    listed = client.get("/jobs/").content.decode()
    assert re.search(rf'/jobs/{job.pk}/">{job.pk}</a></td><td>[^<]+</td><td>失败<', listed)
    # a job still alive is shown running, refreshing itself
    fresh = jobs.do_create_job(Job.Kind.REGISTRY_IMPORT, actor=admin, scope_code=COUNTY,
                               task=tasks.import_upload, data=b"x", file_name="x.csv")
    Job.objects.filter(pk=fresh.pk).update(status="running", stage="matching",
                                           started_at=timezone.now(),
                                           heartbeat_at=timezone.now(), done=1, total=4)
    live = client.get(f"/jobs/{fresh.pk}/").content.decode()
    assert "hx-trigger" in live and 'max="4" value="1"' in live and "1 / 4" in live
    assert 'id="job-rerun"' not in live
    rerun = _job_of(client.post(f"/jobs/{job.pk}/rerun/"))
    job.refresh_from_db()
    assert job.status == "failed" and "重新运行" in job.error
    assert rerun.status == "done" and Household.objects.count() == 2
    assert AuditEvent.objects.filter(action="job.finish", object_id=str(job.pk)).exists()


# ---------------------------------------------------------------- region scope
@pytest.mark.django_db
def test_a_job_is_seen_only_within_its_region(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    job = _job_of(_upload(client, _registry_file()))
    client.force_login(users[Role.COUNTY_APPROVER])  # same county: sees it
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    other_village = make_user(Role.VILLAGE_CADRE, "522326101202", username="other-cadre")
    neighbour = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    for outsider in (users[Role.VILLAGE_CADRE], other_village, neighbour):
        client.force_login(outsider)
        for path in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status.json"):
            assert client.get(path).status_code == 404, (outsider, path)
        assert client.post(f"/jobs/{job.pk}/rerun/").status_code == 404
        assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()
    village_job = Job.objects.create(kind=Job.Kind.SCREENING, scope_code=VILLAGE,
                                     actor=users[Role.COUNTY_ADMIN])
    client.force_login(other_village)
    assert client.get(f"/jobs/{village_job.pk}/").status_code == 404
    client.force_login(users[Role.VILLAGE_CADRE])
    assert client.get(f"/jobs/{village_job.pk}/").status_code == 200


# ---------------------------------------------------------------- the other uploads and runs
@pytest.mark.django_db
def test_a_feed_upload_a_screening_and_a_recompute_are_jobs(client, users):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    member = tables["members"].to_pylist()[0]
    claims = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              f"C1,{member['resident_id']},住院,2025-05-20,80000,30000\n").encode()
    client.force_login(users[Role.DEPARTMENT_OFFICER])
    feed = _job_of(client.post("/feeds/", {"file": SimpleUploadedFile("m_2025-05.csv",
                                                                         claims)}))
    from dixian.exchange.models import FeedBatch, ScreeningRun

    batch = FeedBatch.objects.get()
    assert (feed.kind, feed.status) == (Job.Kind.FEED_UPLOAD, "done")
    assert batch.status == FeedBatch.Status.ACCEPTED and feed.result_url == f"/feeds/{batch.pk}/"
    assert feed.file.name == batch.original.name
    assert f'href="/jobs/{feed.pk}/"' in client.get("/feeds/").content.decode()

    client.force_login(users[Role.COUNTY_ADMIN])
    run = _job_of(client.post("/screening/run/", {"period": "2025-05"}))
    assert (run.kind, run.status, run.result_url) == (Job.Kind.SCREENING, "done", "/alerts/")
    assert ScreeningRun.objects.filter(actor=users[Role.COUNTY_ADMIN]).count() == 1
    assert "2025-05" in run.summary

    recompute = _job_of(client.post(f"/statistics/{COUNTY}/recompute/"))
    assert (recompute.kind, recompute.status) == (Job.Kind.RECOMPUTE, "done")
    assert recompute.result_url == f"/statistics/{COUNTY}/"


@pytest.mark.django_db
def test_a_measures_spreadsheet_with_errors_is_a_failed_job_naming_each_problem(client,
                                                                                users):
    client.force_login(users[Role.DEPARTMENT_OFFICER])
    bad = "措施编号,状态,日期,实施证明\nabc,已实施,2025-05-01,凭证\n".encode()
    job = _job_of(client.post("/measures/upload/", {"file": SimpleUploadedFile("m.csv", bad)}))
    assert (job.kind, job.status) == (Job.Kind.MEASURES_UPLOAD, "failed")
    assert "m.csv" in job.error and "abc" in job.error


# ---------------------------------------------------------------- the real worker
@pytest.fixture
def database_backend(settings):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task_backends.__init__()
    yield
    settings.TASKS = {"default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    task_backends.__init__()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_upload_waits_for_the_worker_which_runs_it(
        client, users, database_backend):
    from django_tasks_db.models import DBTaskResult

    client.force_login(users[Role.COUNTY_ADMIN])
    job = _job_of(_upload(client, _registry_file()))
    assert job.status == "queued" and Household.objects.count() == 0
    assert job.file and DBTaskResult.objects.count() == 1
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" in page and "等待" in page  # waiting, refreshing itself
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == "done" and (job.done, job.total) == (4, 4)
    assert job.heartbeat_at >= job.started_at and job.finished_at
    assert Household.objects.count() == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert job.result_url == f"/imports/{ImportBatch.objects.get().pk}/"


@pytest.mark.django_db
def test_a_full_disk_refuses_the_upload_at_once_with_no_job_and_no_file(client, users,
                                                                        monkeypatch, tmp_path):
    import errno
    import os

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    client.force_login(users[Role.COUNTY_ADMIN])
    data = _registry_file()
    monkeypatch.setattr(os, "replace", full)
    response = _upload(client, data)
    assert response.status_code == 507 and "磁盘已满" in response.content.decode()
    assert not Job.objects.exists() and not ImportBatch.objects.exists()
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []
