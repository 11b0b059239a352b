"""Regions, users and the audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.roles import LEVEL_BY_CODE_LENGTH, ROLE_SPECS, Department, Level, Role


class Region(models.Model):
    """An NBS statistical division (2023 codes), province down to village.

    The code is the primary key; a region's scope is every code that starts with
    it. On PostgreSQL Django adds a ``varchar_pattern_ops`` index to a CharField
    primary key, so ``code__startswith`` is an index range scan.
    """

    code = models.CharField(_("code"), primary_key=True, max_length=12)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def level_of(code: str) -> Level:
        return LEVEL_BY_CODE_LENGTH[len(code)]

    def ancestor_codes(self) -> list[str]:
        """Codes of the province, prefecture, ... above this region, top first."""
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]


class User(AbstractUser):
    """A person who works in Dixian, bound to one region (or the nation) and one role."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    is_national = models.BooleanField(
        _("national scope"), default=False,
        help_text=_("Analysts, auditors and system administrators may work at national level."),
    )
    department = models.CharField(
        _("department"), max_length=32, choices=Department.choices, blank=True
    )
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"), default=False)
    # The TOTP secret (RFC 6238), encrypted like personal data; confirmed once the person has
    # entered a first code from their authenticator.
    totp_secret_enc = models.TextField(blank=True, default="")
    totp_confirmed_at = models.DateTimeField(_("two-factor sign-in set up"), null=True,
                                             blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        problems = role_binding_problems(self.role, self.region, self.is_national, self.department)
        if problems:
            raise ValidationError(problems)


def role_binding_problems(role: str, region: Region | None, is_national: bool,
                          department: str) -> list[str]:
    """Why this role cannot be bound this way (empty when it can)."""
    try:
        spec = ROLE_SPECS[Role(role)]
    except ValueError:
        return [f"unknown role {role!r}"]
    problems = []
    if is_national:
        if not spec.may_be_national:
            problems.append(f"role {role} cannot have national scope")
        if region is not None:
            problems.append("a national user is not bound to a region")
    elif region is None:
        problems.append(f"role {role} must be bound to a region")
    elif Level(region.level) not in spec.levels:
        allowed = ", ".join(str(level.label) for level in sorted(spec.levels))
        problems.append(f"role {role} is bound at {allowed} level, not {Level(region.level).label}")
    if spec.has_department and not department:
        problems.append(f"role {role} needs a department")
    if not spec.has_department and department:
        problems.append(f"role {role} has no department")
    return problems


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One append-only audit row, chained to the previous one by hash.

    ``seq`` is assigned under a lock in :func:`dixian.core.audit.record`, so the
    chain has no gaps; a missing row or an edited value breaks the chain and
    ``dixian audit verify`` names the first broken row. Database triggers refuse
    UPDATE and DELETE as well (see the migrations).
    """

    seq = models.BigIntegerField(primary_key=True)
    time = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
    region_code = models.CharField(_("region"), max_length=12, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["action", "object_id", "time"], name="audit_action_idx"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class Notification(models.Model):
    """A message in a person's inbox: an assignment, an escalated case, a rule violation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]


def _job_file(job: Job, filename: str) -> str:
    """An upload waiting for its job is kept where its importer keeps originals (the same
    name the batch will give it, so the batch reuses the stored file)."""
    from django.utils import timezone

    folder = Job.FOLDERS.get(job.kind, "jobs")
    return timezone.now().strftime(f"{folder}/%Y/%m/") + filename


class Job(models.Model):
    """Long work asked for from a page and run by the worker (`dixian db_worker`): an upload
    processed, a screening run, a recompute. The page shows its stage and progress; the
    lifecycle is in :mod:`dixian.core.jobs`."""

    class Kind(models.TextChoices):
        REGISTRY_IMPORT = "registry_import", _("Registry import")
        FEED_UPLOAD = "feed_upload", _("Department feed upload")
        MEASURES_UPLOAD = "measures_upload", _("Measures updated from a spreadsheet")
        SCREENING = "screening", _("Screening run")
        RECOMPUTE = "recompute", _("Indicators recomputed")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Job failed")

    FOLDERS = {"registry_import": "imports", "feed_upload": "feeds",
               "measures_upload": "measures"}

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="jobs")
    scope_code = models.CharField(_("region"), max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=64, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    file = models.FileField(_("original file"), upload_to=_job_file, blank=True, max_length=300)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    call = models.JSONField(default=dict)  # the task's path, arguments and keywords
    request_id = models.CharField(max_length=64, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    summary = models.CharField(_("result"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["actor", "created_at"], name="job_actor_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def shown_status_label(self) -> str:
        """The status a list shows: a running job whose worker died reads as failed."""
        from dixian.core.jobs import shown_status

        return str(Job.Status(shown_status(self)).label)
