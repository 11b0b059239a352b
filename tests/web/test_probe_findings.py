"""What the probe of the running demo found, each fixed: an off-site ``next=``, personal
data cached by shared browsers, security headers, the system administrator reading casework
through the audit API and village notices."""

import pytest

from dixian.core import audit
from dixian.core.roles import Role
from tests.conftest import COUNTY, VILLAGE

PAGES = ["/", "/households/", "/regions/", "/audit/", "/quality/", "/login/"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "http://evil.example", "/\\evil.example"])
def test_next_in_a_form_post_never_leaves_the_site(client, users, target):
    client.force_login(users[Role.VILLAGE_CADRE])
    response = client.post("/quality/999999/accept/", {"next": target, "reason": "x"})
    # the issue does not exist: 404; the redirect is what matters for an existing one
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/") and "evil" not in response["Location"]
    client.force_login(users[Role.DEPARTMENT_OFFICER])
    response = client.post("/measures/999999/", {"next": target})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "evil" not in response["Location"]


@pytest.mark.django_db
def test_pages_and_api_answers_for_a_signed_in_person_are_not_stored(client, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    for path in ["/", "/households/", f"/regions/{COUNTY}/", "/api/me",
                 "/api/registry/households"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client, users, path):
    client.force_login(users[Role.AUDITOR])
    response = client.get(path, follow=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_style():
    """The CSP allows no inline script or style: a template that had one would break."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "dixian"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
                r"<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


@pytest.mark.django_db
def test_the_system_administrator_reads_no_casework_values_in_the_audit(client, users):
    audit.record("case.clue", actor=users[Role.VILLAGE_CADRE], object_type="cases.case",
                 object_id="1", region_code=VILLAGE,
                 after={"risk_type": "ILLNESS", "description": "住院，肺癌"})
    audit.record("user.create", actor=users[Role.SYSADMIN], object_type="core.user",
                 object_id="9", region_code=COUNTY, after={"username": "new-cadre"})
    client.force_login(users[Role.SYSADMIN])
    events = {(e["action"], e["object_id"]): e
              for e in client.get("/api/audit").json()["items"]}
    assert events[("case.clue", "1")]["after"] is None  # the row, not its casework values
    assert events[("user.create", "9")]["after"] == {"username": "new-cadre"}
    client.force_login(users[Role.AUDITOR])
    events = {(e["action"], e["object_id"]): e
              for e in client.get("/api/audit").json()["items"]}
    assert events[("case.clue", "1")]["after"]["risk_type"] == "ILLNESS"


@pytest.mark.django_db
def test_the_system_administrator_reads_no_village_notice(client, users):
    client.force_login(users[Role.SYSADMIN])
    assert client.get(f"/notices/{VILLAGE}/").status_code == 403
    client.force_login(users[Role.VILLAGE_CADRE])
    assert client.get(f"/notices/{VILLAGE}/").status_code == 200
