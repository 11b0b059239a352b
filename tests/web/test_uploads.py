"""Upload limits and the retention of rejected uploads."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from dixian.core.roles import Role
from dixian.engine.scope import RegionScope
from dixian.exchange.models import FeedBatch
from dixian.exchange.retention import do_purge_rejected_uploads
from dixian.registry import importing, snapshot
from dixian.registry.models import ImportBatch
from tests.registry.builders import households_and_members


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@override_settings(DIXIAN_MAX_UPLOAD_BYTES=10_000)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    big = SimpleUploadedFile("户信息.csv", b"x" * 20_000)
    api = client.post("/api/registry/imports", {"file": big})
    assert api.status_code == 413 and "MB" in api.json()["detail"]
    page = client.post("/imports/", {"file": SimpleUploadedFile("户信息.csv", b"x" * 20_000)})
    assert page.status_code == 413 and "请拆分文件" in page.content.decode()
    client.force_login(users[Role.DEPARTMENT_OFFICER])
    feed = client.post("/api/exchange/feeds",
                       {"file": SimpleUploadedFile("medical_2025-03.csv", b"x" * 20_000)})
    assert feed.status_code == 413
    assert not ImportBatch.objects.exists() and not FeedBatch.objects.exists()
    # just under the limit it is read (and here refused for its content, with a report)
    client.force_login(users[Role.COUNTY_ADMIN])
    small = client.post("/api/registry/imports",
                        {"file": SimpleUploadedFile("户信息.csv", b"x" * 9_000)})
    assert small.status_code == 200 and small.json()["status"] == "rejected"


@pytest.mark.django_db
def test_rejected_uploads_lose_their_file_after_the_retention_period(county_regions,
                                                                    settings):
    settings.DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS = 30
    scope = RegionScope.of("522326")
    good = importing.import_file(snapshot.export(households_and_members(1), fmt="xlsx",
                                                 file_layout="national"), "ok.xlsx",
                                 scope=scope).batch
    bad = importing.import_file(b"PK\x03\x04 broken", "bad.xlsx", scope=scope).batch
    assert bad.status == ImportBatch.Status.REJECTED and bad.original
    path = bad.original.path
    # day 30: still kept (time to correct and resend)
    assert do_purge_rejected_uploads(now=timezone.now() + timedelta(days=29, hours=23)) == {
        "importbatch": 0, "feedbatch": 0}
    # past day 30: the rejected file goes, its report stays; the accepted original stays
    counts = do_purge_rejected_uploads(now=timezone.now() + timedelta(days=30, minutes=1))
    assert counts["importbatch"] == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert not bad.original and bad.problems and bad.problems[0]["rule"] == "file.not_xlsx"
    import os

    assert not os.path.exists(path)
    assert good.original and os.path.exists(good.original.path)
