"""Registry journeys: an import with errors and its report; finding a household; revealing an ID."""

import io

import pytest
from openpyxl import load_workbook

from dixian.core.roles import Role
from dixian.registry import snapshot
from tests.conftest import PASSWORD, VILLAGE, make_user
from tests.registry.builders import households_and_members


def _login(page, user):
    if page.url != "about:blank" and "/login/" not in page.url:
        # a logout clicked just before: its form is sent once the phone's offline data are
        # wiped (offline.js); wait for it, or it would sign the next person out
        page.wait_for_url("**/login/**")
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")


def _file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.browser
def test_an_import_with_errors_is_reported_then_a_good_file_applies(page, screenshot, tmp_path,
                                                                   county_regions, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user(Role.COUNTY_ADMIN, "522326", username="li.admin")
    good = snapshot.export(households_and_members(3, VILLAGE), fmt="xlsx", file_layout="national")
    book = load_workbook(io.BytesIO(good))
    book["户信息"]["F3"] = "富裕户"
    bad = io.BytesIO()
    book.save(bad)

    _login(page, admin)
    page.click("[data-nav=imports]")
    page.set_input_files("input[type=file]", _file(tmp_path, "乐元村.xlsx", bad.getvalue()))
    page.click("#import-form button.primary")
    # acknowledged at once: the job's page follows the import until it finishes
    page.wait_for_url("**/jobs/*/")
    page.locator("#job[data-status=done]").wait_for()
    assert page.locator("#job-status").inner_text().startswith("完成")
    assert page.locator("#job-progress").get_attribute("value") == "1"
    screenshot("0-import-job-finished")
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("0-import-job-phone")
    page.set_viewport_size(size)
    page.click("#job-result")
    page.wait_for_url("**/imports/*/")
    assert "未导入任何数据" in page.locator("#status").inner_text()
    row = page.locator("#problems tbody tr", has_text="富裕户")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[:5] == ["户信息", "3", "户类型", "富裕户", "value.enum"]
    screenshot("1-report-with-error")

    page.click("text=导入")
    page.set_input_files("input[type=file]", _file(tmp_path, "乐元村-修正.xlsx", good))
    page.click("#import-form button.primary")
    page.wait_for_url("**/jobs/*/")
    page.click("#job-result")
    page.wait_for_url("**/imports/*/")
    assert page.locator("#status").inner_text() == "已导入"
    screenshot("2-report-applied")


@pytest.mark.browser
def test_a_cadre_finds_a_household_reveals_an_id_and_the_auditor_sees_it(
        page, screenshot, county_regions):
    import polars as pl

    from dixian.registry import importing

    tables = households_and_members(3, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE, username="zhang.cadre")
    member = tables["members"].to_pylist()[3]  # the head of the second household

    _login(page, cadre)
    page.click("[data-nav=households]")
    page.fill("input[name=q]", member["name"])
    page.click("form.search button")
    page.locator("#households tbody a").first.click()
    page.wait_for_url(f"**/households/{member['household_code']}/")
    masked = page.locator(f"#id-{member['member_id']}").inner_text()
    assert masked == member["resident_id"][:4] + "*" * 10 + member["resident_id"][-4:]
    screenshot("1-household-masked")
    page.click(f"[data-reveal='{member['member_id']}']")
    page.wait_for_selector(f"[data-revealed='{member['member_id']}']")
    assert page.locator(f"#id-{member['member_id']}").inner_text() == member["resident_id"]
    screenshot("2-id-revealed")
    page.click("button.link:has-text('退出')")

    auditor = make_user(Role.AUDITOR, "522326", username="zhao.auditor")
    _login(page, auditor)
    page.goto("/audit/?action=pii.reveal")
    row = page.locator("#events tbody tr").first
    assert "zhang.cadre" in row.inner_text() and member["member_id"] in row.inner_text()
    screenshot("3-audit-shows-the-reveal")


@pytest.mark.browser
def test_an_import_waits_for_the_worker_and_its_page_follows_it_to_the_end(
        page, screenshot, tmp_path, county_regions, settings):
    """With the production queue (the database), the page answers before the import runs;
    the job's page refreshes itself and shows the worker's result when it has run."""
    from django.core.management import call_command
    from django.tasks import task_backends

    from dixian.core.models import Job

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task_backends.__init__()
    try:
        admin = make_user(Role.COUNTY_ADMIN, "522326", username="li.admin")
        good = snapshot.export(households_and_members(3, VILLAGE), fmt="xlsx",
                               file_layout="national")
        _login(page, admin)
        page.click("[data-nav=imports]")
        page.set_input_files("input[type=file]", _file(tmp_path, "乐元村.xlsx", good))
        page.click("#import-form button.primary")
        page.wait_for_url("**/jobs/*/")
        assert page.locator("#job").get_attribute("data-status") == "queued"
        assert page.locator("#job-stage").inner_text() == "等待后台处理"
        screenshot("1-job-waiting")
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert Job.objects.get().status == "done"
        page.locator("#job[data-status=done]").wait_for(timeout=15_000)  # it refreshed itself
        screenshot("2-job-done")
        page.click("#job-result")
        page.wait_for_url("**/imports/*/")
        assert page.locator("#status").inner_text() == "已导入"
    finally:
        settings.TASKS = {"default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
        task_backends.__init__()
