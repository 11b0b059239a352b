"""Documents of a project's file: real files on its steps, payments and disposals (issue 15).

Kept by SHA-256 in the media store with their original name, size, type, uploader and time;
checked by content and size before anything is kept; downloaded only within the region,
each download audited, as an attachment nobody sniffs or caches."""

import hashlib
import io
import zipfile
from datetime import date

import pytest
from django.test import override_settings

from dixian.core.audit import AuditEvent
from dixian.core.roles import Role
from dixian.engine import filecheck
from dixian.funds import actions, documents
from dixian.funds.models import Document, Project, ProjectStep
from tests.conftest import OTHER_COUNTY, VILLAGE, make_user
from tests.funds.builders import (
    approved_project,
    docx_bytes,
    load_households,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media) -> list:
    folder = media / "documents"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _applied(users):
    load_households()
    return actions.do_apply_project(
        region_code=VILLAGE, title="茶叶加工厂", year=2026, category="industry",
        amount="500000", democracy=[actions.DemocracyStep(k, date(2025, 12, 1), ("决议",))
                                    for k in actions.DEMOCRACY],
        actor=users[Role.VILLAGE_CADRE], on=date(2025, 12, 2))


def _approved(users):
    load_households()
    return approved_project(users)


# --- the kind of a file, from its bytes -----------------------------------------------------

def test_the_kind_comes_from_the_content():
    def archive(part):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(part, "<x/>")
        return out.getvalue()

    assert filecheck.document_kind(pdf_bytes()) == "pdf"
    assert filecheck.document_kind(PNG) == "png"
    assert filecheck.document_kind(JPEG) == "jpeg"
    assert filecheck.document_kind(docx_bytes()) == "docx"
    assert filecheck.document_kind(archive("xl/workbook.xml")) == "xlsx"
    assert filecheck.document_kind(archive("OFD.xml")) == "ofd"
    for data in (b"MZ\x90\x00 a program", b"<html><script>x</script>", archive("a.txt"),
                 b"PK\x03\x04 broken", b"GIF89a"):
        with pytest.raises(filecheck.FileProblem) as refused:
            filecheck.document_kind(data)
        assert refused.value.rule == "document_type"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * (50 << 20))
    with pytest.raises(filecheck.FileProblem) as refused:
        filecheck.document_kind(bomb.getvalue())
    assert refused.value.rule == "archive_too_large"


def test_names_are_shown_never_used_as_paths():
    assert documents.display_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert documents.display_name("C:\\scans\\决议.pdf") == "决议.pdf"
    assert documents.display_name("a\r\nSet-Cookie: x.pdf") == "aSet-Cookie: x.pdf"
    assert documents.display_name("..") == "document"
    long = documents.display_name("长" * 400 + ".pdf")
    assert len(long) <= 255 and long.endswith(".pdf")


# --- uploads on the pages -------------------------------------------------------------------

def test_a_review_keeps_its_pdf_by_hash_with_who_and_when(client, users, media):
    project = _applied(users)
    reviewer = users[Role.TOWNSHIP_REVIEWER]
    client.force_login(reviewer)
    data = pdf_bytes("township review")
    response = client.post(f"/funds/projects/{project.pk}/act/", {
        "action": "review", "decision": "approve",
        "files": [upload("../../乡镇审核意见.pdf", data)]})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == "township_reviewed"
    document = Document.objects.get()
    sha = hashlib.sha256(data).hexdigest()
    assert (document.name, document.size, document.content_type, document.sha256) == (
        "乡镇审核意见.pdf", len(data), "application/pdf", sha)
    assert document.uploaded_by == reviewer and document.uploaded_at is not None
    assert document.step.kind == "township_review" and document.project == project
    assert document.region_code == VILLAGE
    # stored under its hash only, where the media store keeps every original
    assert document.file.name == f"documents/{sha[:2]}/{sha}"
    assert stored_files(media) == [media / "documents" / sha[:2] / sha]
    assert (media / document.file.name).read_bytes() == data
    event = AuditEvent.objects.get(action="funds.document_upload")
    assert event.actor == reviewer and event.object_id == str(document.pk)
    assert event.after["sha256"] == sha and event.after["name"] == "乡镇审核意见.pdf"
    step = AuditEvent.objects.get(action="funds.township_review")
    assert step.after["files"] == [{"name": "乡镇审核意见.pdf", "sha256": sha}]
    # the project's whole file lists it with its download link
    page = client.get(f"/funds/projects/{project.pk}/").content.decode()
    assert f'href="/funds/documents/{document.pk}/"' in page
    assert f'data-document="{document.pk}" data-step="township_review"' in page


def test_the_application_takes_files_instead_of_typed_names(client, users):
    load_households()
    client.force_login(users[Role.VILLAGE_CADRE])
    form = {"title": "菌棚", "category": "industry", "amount": "300000", "year": "2026"}
    for kind in actions.DEMOCRACY:
        form[f"{kind}_on"] = "2025-12-01"
        form[f"{kind}_file"] = upload(f"{kind}.pdf", pdf_bytes(kind))
    form["application_file"] = upload("申报书.docx", docx_bytes())
    response = client.post("/funds/projects/apply/", form)
    project = Project.objects.get(title="菌棚")
    assert response.status_code == 302
    kinds = sorted(Document.objects.values_list("step__kind", flat=True))
    assert kinds == sorted([*actions.DEMOCRACY, "application"])
    # a step with neither a name nor a file is still refused
    form = {**form, "title": "菌棚二", "meeting_file": ""}
    del form["application_file"]
    for kind in actions.DEMOCRACY:
        form[f"{kind}_file"] = upload(f"{kind}.pdf", pdf_bytes(kind))
    form.pop("meeting_file")
    page = client.post("/funds/projects/apply/", form, follow=True).content.decode()
    assert not Project.objects.filter(title="菌棚二").exists() and "meeting" in page
    assert Document.objects.filter(project=project).count() == 4


def test_the_same_file_twice_is_harmless(users, media):
    project = _approved(users)
    data = pdf_bytes("the same")
    officer = users[Role.COUNTY_APPROVER]
    step = project.steps.get(kind="county_approval")
    first = documents.do_attach_documents([upload("a.pdf", data)], actor=officer, step=step)
    again = documents.do_attach_documents([upload("b.pdf", data)], actor=officer, step=step)
    assert first == again and Document.objects.count() == 1
    township = project.steps.get(kind="township_review")
    documents.do_attach_documents([upload("c.pdf", data)],
                                  actor=users[Role.TOWNSHIP_REVIEWER], step=township)
    assert Document.objects.count() == 2 and len(stored_files(media)) == 1
    assert AuditEvent.objects.filter(action="funds.document_upload").count() == 2


@override_settings(DIXIAN_MAX_DOCUMENT_BYTES=20_000)
def test_a_file_over_the_limit_is_refused_naming_it_and_the_limit(client, users, media):
    project = _applied(users)
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    big = pdf_bytes() + b"%" + b"0" * 30_000
    page = client.post(f"/funds/projects/{project.pk}/act/", {
        "action": "review", "decision": "approve", "documents": "意见书",
        "files": [upload("small.pdf", pdf_bytes()), upload("扫描件.pdf", big)]},
        follow=True).content.decode()
    assert "扫描件.pdf：文件大小为31 KB，单个文件不得超过20 KB" in page
    project.refresh_from_db()
    assert project.state == "proposed"  # nothing recorded: no step, no document, no file
    assert not ProjectStep.objects.filter(kind="township_review").exists()
    assert not Document.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(("name", "data", "words"), [
    ("合同.pdf", b"just text, not a PDF", "不是PDF"),
    ("合同.pdf", PNG, "PNG"),  # an image under a PDF's name
    ("setup.exe", b"MZ\x90\x00", "不是PDF"),
    ("照片.png", JPEG, "JPEG"),
    ("空.pdf", b"", "为空"),
])
def test_a_file_of_another_type_is_refused_by_its_content(client, users, media, name, data,
                                                          words):
    project = _approved(users)
    client.force_login(users[Role.PROJECT_OFFICER])
    page = client.post(f"/funds/projects/{project.pk}/act/", {
        "action": "execute", "kind": "tender", "on": "2025-02-01",
        "files": [upload(name, data, "application/pdf")]}, follow=True).content.decode()
    assert name in page and words in page
    assert not project.steps.filter(kind="tender").exists()
    assert not Document.objects.exists() and stored_files(media) == []


def test_a_database_failure_leaves_no_file(users, media, monkeypatch):
    project = _approved(users)

    def fail(*args, **kwargs):
        raise RuntimeError("the database refused the row")

    monkeypatch.setattr(documents.audit, "record", fail)
    with pytest.raises(RuntimeError):
        documents.do_attach_documents([upload("a.pdf", pdf_bytes())],
                                      actor=users[Role.COUNTY_APPROVER],
                                      step=project.steps.get(kind="county_approval"))
    assert not Document.objects.exists() and stored_files(media) == []


def test_only_the_role_that_takes_a_step_attaches_to_it(client, users):
    project = _approved(users)
    step = project.steps.get(kind="township_review")
    client.force_login(users[Role.FUND_OFFICER])
    response = client.post(f"/funds/projects/{project.pk}/act/", {
        "action": "attach", "target": f"step:{step.pk}",
        "files": [upload("a.pdf", pdf_bytes())]})
    assert response.status_code == 403 and not Document.objects.exists()
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    response = client.post(f"/funds/projects/{project.pk}/act/", {
        "action": "attach", "target": f"step:{step.pk}",
        "files": [upload("a.pdf", pdf_bytes())]})
    assert response.status_code == 302 and Document.objects.get().step == step


def test_payments_and_disposals_carry_files(client, users):
    from dixian.funds.models import Asset, Disposal

    project = _approved(users)
    finance = users[Role.FUND_OFFICER]
    allocation = actions.do_record_allocation(county_code=project.county_code, year=2025,
                                              source="central", amount="2000000",
                                              document="黔财〔2025〕1号",
                                              received_on=date(2025, 1, 5), actor=finance)
    item = actions.do_appropriate_funds(allocation, project, "1000000", document="拨",
                                        actor=finance, on=date(2025, 1, 20))
    payment = actions.do_pay(item, "300000", paid_on=date(2025, 3, 1), payee="公司",
                             document="", files=[upload("付款凭证.jpg", JPEG)], actor=finance)
    assert payment.files.get().content_type == "image/jpeg"
    officer = users[Role.PROJECT_OFFICER]
    actions.do_record_execution(project, "contract", documents=["合同"], amount="1000000",
                                contractor="公司", actor=officer, on=date(2025, 2, 1))
    actions.do_record_execution(project, "acceptance", files=[upload("验收.pdf", pdf_bytes())],
                                actor=officer, on=date(2025, 9, 1))
    asset = actions.do_register_asset(project, name="大棚", category="income",
                                      book_value="900000", actor=users[Role.ASSET_OFFICER])
    disposal = actions.do_request_disposal(asset, how="报废", reason="水毁",
                                           files=[upload("鉴定.pdf", pdf_bytes("a"))],
                                           actor=users[Role.ASSET_OFFICER])
    actions.do_decide_disposal(disposal, approve=True,
                               files=[upload("批复.pdf", pdf_bytes("b"))],
                               actor=users[Role.COUNTY_APPROVER])
    assert sorted(Disposal.objects.get().files.values_list("name", flat=True)) == [
        "批复.pdf", "鉴定.pdf"]
    assert Asset.objects.get().status == "disposed"
    client.force_login(users[Role.COUNTY_APPROVER])
    page = client.get(f"/funds/projects/{project.pk}/").content.decode()
    for name in ("付款凭证.jpg", "验收.pdf", "鉴定.pdf", "批复.pdf", "合同", "review.pdf"):
        assert name in page, name  # files and the names typed before, side by side
    assert 'data-step="payment"' in page and 'data-step="disposal"' in page
    assert "鉴定.pdf" in client.get(f"/funds/assets/{asset.pk}/").content.decode()


# --- downloads ------------------------------------------------------------------------------

def test_a_download_is_scoped_audited_and_never_sniffed_or_cached(client, users):
    project = _approved(users)
    data = pdf_bytes("approval")
    approver = users[Role.COUNTY_APPROVER]
    [document] = documents.do_attach_documents(
        [upload("县级批复 \"终稿\".pdf", data)], actor=approver,
        step=project.steps.get(kind="county_approval"))
    client.force_login(approver)
    response = client.get(f"/funds/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="funds.document_download")
    assert (event.actor, event.object_id, event.after["sha256"]) == (
        approver, str(document.pk), document.sha256)
    # another county's approver, and a cadre of another village of the county: not found
    neighbour = make_user(Role.COUNTY_APPROVER, OTHER_COUNTY, username="neighbour")
    cadre = make_user(Role.VILLAGE_CADRE, "522326101202", username="next-village")
    for outsider in (neighbour, cadre):
        client.force_login(outsider)
        assert client.get(f"/funds/documents/{document.pk}/").status_code == 404
        assert client.get(f"/api/funds/documents/{document.pk}").status_code == 404
        assert client.get(f"/api/funds/projects/{project.pk}/documents").status_code == 404
    assert client.get("/funds/documents/999999/").status_code == 404
    assert AuditEvent.objects.filter(action="funds.document_download").count() == 1


# --- the API --------------------------------------------------------------------------------

def test_the_api_uploads_lists_and_downloads_documents(client, users, media):
    project = _approved(users)
    step = project.steps.get(kind="township_review")
    url = f"/api/funds/projects/{project.pk}/documents"
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    data = pdf_bytes("api")
    created = client.post(url, {"step": step.pk, "files": [upload("意见.pdf", data),
                                                           upload("附件.docx", docx_bytes())]})
    assert created.status_code == 201, created.content
    rows = created.json()
    assert [(r["name"], r["step_kind"], r["attached_to"]) for r in rows] == [
        ("意见.pdf", "township_review", f"step:{step.pk}"),
        ("附件.docx", "township_review", f"step:{step.pk}")]
    assert rows[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert rows[0]["uploaded_by"] == users[Role.TOWNSHIP_REVIEWER].username
    refused = client.post(url, {"step": step.pk, "files": [upload("x.pdf", b"<html>")]})
    assert refused.status_code == 400 and "x.pdf" in refused.json()["detail"]
    assert client.post(url, {"step": step.pk}).status_code == 400
    assert client.post(url, {"files": [upload("y.pdf", data)]}).status_code == 400
    assert client.post(url, {"step": 999999, "files": [upload("y.pdf", data)]}).status_code \
        == 404
    client.force_login(users[Role.FUND_OFFICER])  # not the township's step
    assert client.post(url, {"step": step.pk, "files": [upload("z.pdf", data)]}).status_code \
        == 403
    client.force_login(users[Role.ANALYST])
    listed = client.get(url).json()
    assert len(listed) == 2 and listed[0]["url"] == f"/api/funds/documents/{rows[0]['id']}"
    got = client.get(listed[0]["url"])
    assert got.status_code == 200 and b"".join(got.streaming_content) == data
    assert got["X-Content-Type-Options"] == "nosniff"
    project_file = client.get(f"/api/funds/projects/{project.pk}").json()
    township = next(s for s in project_file["steps"] if s["kind"] == "township_review")
    assert township["documents"] == ["review.pdf"] and len(township["files"]) == 2
    schema = client.get("/api/openapi.json").json()
    body = schema["paths"]["/api/funds/projects/{project_id}/documents"]["post"]["requestBody"]
    assert "multipart/form-data" in body["content"]
    assert "/api/funds/documents/{document_id}" in schema["paths"]
    assert Document.objects.count() == 2 and len(stored_files(media)) == 2


def test_the_api_takes_steps_with_their_files(client, users, media):
    """A step's files sent with the step itself (multipart: the JSON in ``data``)."""
    import json

    load_households()
    client.force_login(users[Role.VILLAGE_CADRE])
    body = {"region_code": VILLAGE, "title": "冷库", "year": 2026, "category": "industry",
            "amount": "600000", "democracy": [
                {"kind": k, "on": "2025-12-01", "documents": []}
                for k in ("proposal", "meeting", "village_notice")]}
    form = {"data": json.dumps(body), "files.application": upload("申报书.pdf", pdf_bytes())}
    for kind in ("proposal", "meeting", "village_notice"):
        form[f"files.{kind}"] = upload(f"{kind}.pdf", pdf_bytes(kind))
    created = client.post("/api/funds/projects", form)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    steps = {s["kind"]: s for s in created.json()["steps"]}
    assert [f["name"] for f in steps["meeting"]["files"]] == ["meeting.pdf"]
    assert [f["name"] for f in steps["application"]["files"]] == ["申报书.pdf"]
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    url = f"/api/funds/projects/{pk}/steps"
    refused = client.post(url, {"data": json.dumps({"step": "review"}),
                                "files": [upload("意见.pdf", b"not a pdf")]})
    assert refused.status_code == 400 and "意见.pdf" in refused.json()["detail"]
    assert Project.objects.get(pk=pk).state == "proposed"
    reviewed = client.post(url, {"data": json.dumps({"step": "review"}),
                                 "files": [upload("意见.pdf", pdf_bytes("ok"))]})
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "township_reviewed"
    assert Document.objects.filter(project_id=pk).count() == 5
    schema = client.get("/api/openapi.json").json()
    step_body = schema["paths"]["/api/funds/projects/{project_id}/steps"]["post"]["requestBody"]
    assert set(step_body["content"]) == {"application/json", "multipart/form-data"}
