"""The documents of a project's file: real files attached to its steps, payments and its
assets' disposals.

- **Checked before anything is kept.** Each file is read once: its size against
  ``DIXIAN_MAX_DOCUMENT_BYTES``, its kind from its bytes (PDF, JPEG, PNG, XLSX, DOCX, OFD:
  :func:`dixian.engine.filecheck.document_kind`), and its name's extension against that kind.
  A refusal names the file and the rule, and nothing is stored: no row, no file.
- **Kept where every uploaded original is kept** (``MEDIA_ROOT``, through the platform's
  :class:`dixian.core.storage.SafeFileStorage`: atomic writes, the same bytes reused), under a
  name made of the file's SHA-256 only (:func:`dixian.funds.models.document_path`). The name the
  uploader gave is shown and sent back on download, never used as a path.
- **Each upload and each download is audited** (``funds.document_upload``,
  ``funds.document_download``); a download is scoped like the project (another county's user
  gets the same 404 as for a document that does not exist) and sent as an attachment that no
  browser sniffs or caches.
"""

from __future__ import annotations

import hashlib
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from dixian.core import audit, storage
from dixian.core.access import NotFound, scope_of
from dixian.core.roles import Capability, role_has
from dixian.funds.bridge import filecheck
from dixian.funds.models import Disposal, Document, Payment, ProjectStep

K = ProjectStep.Kind
C = Capability
#: who may attach a file to a step after it was taken: the roles that take that step
STEP_WRITERS = {
    K.PROPOSAL: (C.APPLY_PROJECTS,), K.MEETING: (C.APPLY_PROJECTS,),
    K.VILLAGE_NOTICE: (C.APPLY_PROJECTS,), K.APPLICATION: (C.APPLY_PROJECTS,),
    K.TOWNSHIP_REVIEW: (C.REVIEW_PROJECTS,), K.EXPERT_REVIEW: (C.MANAGE_PROJECTS,),
    K.COUNTY_APPROVAL: (C.APPROVE_PROJECTS,),
    K.REJECTION: (C.REVIEW_PROJECTS, C.MANAGE_PROJECTS, C.APPROVE_PROJECTS),
    K.ROLL_OVER: (C.MANAGE_PROJECTS,), K.TENDER: (C.MANAGE_PROJECTS,),
    K.CONTRACT: (C.MANAGE_PROJECTS,), K.PROGRESS: (C.MANAGE_PROJECTS,),
    K.ACCEPTANCE: (C.MANAGE_PROJECTS,), K.FINAL_ACCOUNTS: (C.MANAGE_PROJECTS,),
}
PAYMENT_WRITERS = (C.MANAGE_FUNDS,)
DISPOSAL_WRITERS = (C.MANAGE_ASSETS, C.APPROVE_PROJECTS)
KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "xlsx": "XLSX", "docx": "DOCX",
               "ofd": "OFD"}


def kind_label(content_type: str) -> str:
    """PDF, JPEG, PNG, XLSX, DOCX or OFD: a document's kind by the type found when it was
    checked."""
    for kind, (known, _extensions) in filecheck.DOCUMENT_KINDS.items():
        if known == content_type:
            return KIND_LABELS[kind]
    return content_type


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, ready to be kept."""

    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def display_name(name: str) -> str:
    """The uploader's file name as shown: its last component, without control characters,
    at most 255 characters (the extension kept)."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:250 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name or "document"


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def check_files(files) -> list[Checked]:
    """Every file checked (size, kind by content, extension); all the problems at once as a
    :class:`ValidationError`, each naming its file. ``files`` are uploaded files (anything
    with ``name``, ``size`` and ``read``); an empty list is no problem."""
    limit = settings.DIXIAN_MAX_DOCUMENT_BYTES
    problems, checked = [], []
    for upload in files or ():
        name = display_name(getattr(upload, "name", ""))
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            problems.append(_("%(file)s: the file is %(size)s; a document may be at most "
                              "%(limit)s.") % {"file": name, "size": _megabytes(size),
                                               "limit": _megabytes(limit)})
            continue
        data = upload.read(limit + 1)
        if len(data) > limit:
            problems.append(_("%(file)s: the file is more than %(limit)s; a document may be "
                              "at most %(limit)s.") % {"file": name,
                                                       "limit": _megabytes(limit)})
            continue
        if not data:
            problems.append(_("%(file)s: the file is empty.") % {"file": name})
            continue
        try:
            kind = filecheck.document_kind(data)
        except filecheck.FileProblem as problem:
            if problem.rule == "archive_too_large":
                problems.append(_("%(file)s: the archive would unpack far larger than it is "
                                  "(refused as a zip bomb).") % {"file": name})
            else:
                problems.append(_("%(file)s: its content is not a PDF, JPEG, PNG, XLSX, DOCX "
                                  "or OFD file, whatever its name says.") % {"file": name})
            continue
        content_type, extensions = filecheck.DOCUMENT_KINDS[kind]
        if _extension(name) not in extensions:
            problems.append(_("%(file)s: its content is a %(kind)s file but its name does not "
                              "end in %(extensions)s.") % {
                "file": name, "kind": KIND_LABELS[kind], "extensions": " / ".join(extensions)})
            continue
        checked.append(Checked(name, data, content_type, hashlib.sha256(data).hexdigest()))
    if problems:
        raise ValidationError(problems)
    return checked


def _target(step=None, payment=None, disposal=None) -> tuple[str, str, object]:
    """(``target`` key, region code, project) of what a document is attached to."""
    if step is not None:
        return f"step:{step.pk}", step.project.region_code, step.project
    if payment is not None:
        return f"payment:{payment.pk}", payment.project.region_code, payment.project
    if disposal is not None:
        asset = disposal.asset
        return f"disposal:{disposal.pk}", asset.region_code, asset.project
    raise ValueError("a document is attached to a step, a payment or a disposal")


def store(checked: list[Checked], *, actor, step: ProjectStep | None = None,
          payment: Payment | None = None, disposal: Disposal | None = None) -> list[Document]:
    """Keep checked files attached to one step, payment or disposal, each with its audit row.
    Called inside the caller's :func:`kept_together` block. The same bytes attached twice to
    the same thing are one document; the bytes are stored once whatever they are attached
    to."""
    target, region_code, project = _target(step, payment, disposal)
    out = []
    for item in checked:
        existing = Document.objects.filter(target=target, sha256=item.sha256).first()
        if existing is not None:
            out.append(existing)
            continue
        document = Document(project=project, step=step, payment=payment, disposal=disposal,
                            target=target, region_code=region_code, name=item.name,
                            size=item.size, content_type=item.content_type,
                            sha256=item.sha256, uploaded_by=actor,
                            uploaded_at=timezone.now())
        document.file.save(item.sha256, ContentFile(item.data), save=False)
        document.save()
        audit.record("funds.document_upload", actor=actor, obj=document,
                     region_code=region_code,
                     after={"project": project.pk if project else None, "attached_to": target,
                            "name": item.name, "size": item.size,
                            "content_type": item.content_type, "sha256": item.sha256})
        out.append(document)
    return out


@contextmanager
def kept_together():
    """A transaction whose stored files go again when it fails (a database error after the
    bytes were written leaves no file behind; bytes kept for an earlier document stay)."""
    with storage.all_or_nothing(), transaction.atomic():
        yield


def may_attach(user, *, step=None, payment=None, disposal=None) -> bool:
    role = getattr(user, "role", "")
    if step is not None:
        writers = STEP_WRITERS.get(step.kind, ())
    elif payment is not None:
        writers = PAYMENT_WRITERS
    else:
        writers = DISPOSAL_WRITERS
    return any(role_has(role, c) for c in writers)


def do_attach_documents(files, *, actor, step: ProjectStep | None = None,
                        payment: Payment | None = None,
                        disposal: Disposal | None = None) -> list[Document]:
    """Attach files to a step already taken, a payment or a disposal: by a role that takes
    that step (the township reviewer to the township's review, the fund officer to a
    payment...), within its region."""
    _key, region_code, _project = _target(step, payment, disposal)
    if not scope_of(actor).contains(region_code):
        raise NotFound
    if not may_attach(actor, step=step, payment=payment, disposal=disposal):
        raise PermissionDenied
    checked = check_files(files)
    if not checked:
        raise ValidationError(_("Choose at least one file to attach."))
    with kept_together():
        return store(checked, actor=actor, step=step, payment=payment, disposal=disposal)


def download(document: Document, *, actor) -> FileResponse:
    """The document as an attachment, after recording who downloaded it. Its bytes are sent
    with the type found when it was checked, never sniffed, never cached."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound from None
    audit.record("funds.document_download", actor=actor, obj=document,
                 region_code=document.region_code,
                 after={"document": document.pk, "name": document.name,
                        "sha256": document.sha256, "project": document.project_id,
                        "attached_to": document.target})
    response = FileResponse(handle, as_attachment=True, filename=document.name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response
