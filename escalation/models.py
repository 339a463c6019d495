"""Policies (versioned data), cases and the steps each case lives through."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from escalation.enums import (
    AgeBand,
    CaseStatus,
    DueSetBy,
    PolicyVersionStatus,
    ResolutionAnswer,
    StepOutcome,
    SubjectKind,
)


class Policy(models.Model):
    """A procedure a partnership can adopt. Presets ship with Resolve (owner empty);
    a partnership's own copy names it as owner and records the preset it came from."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "agencies.Partnership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_policies",
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_preset(self) -> bool:
        return self.owner_id is None


class PolicyVersion(models.Model):
    """One version of a policy's data. Published versions are frozen; cases keep theirs."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=PolicyVersionStatus.choices, default=PolicyVersionStatus.DRAFT
    )
    document = models.JSONField(help_text="The policy's data, checked against the schema.")
    source = models.CharField(max_length=200, blank=True, help_text="File it was loaded from.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy.slug} v{self.number} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == PolicyVersionStatus.PUBLISHED


class Case(models.Model):
    """One disagreement between two agencies about a child, young person or adult."""

    partnership = models.ForeignKey(
        "agencies.Partnership", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(max_length=30)
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="cases"
    )
    route = models.SlugField(max_length=60)
    category = models.SlugField(max_length=60)
    route_details = models.JSONField(
        default=dict, blank=True, help_text="Answers a special route asks for."
    )

    challenging_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="cases_raised"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_raised"
    )
    responding_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="cases_received"
    )
    responding_professional = models.CharField(
        max_length=200, help_text="Name and role of the professional whose decision is challenged."
    )
    responding_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_received",
    )

    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    subject_initials = models.CharField(max_length=4)
    subject_age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    challenging_record_number = models.CharField(max_length=50, blank=True)
    responding_record_number = models.CharField(max_length=50, blank=True)

    disagreement = models.TextField()
    impact = models.TextField()
    risk_of_significant_harm = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    current_step = models.ForeignKey(
        "CaseStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    raised_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    # Set once at closing (escalation.deadlines.working_days_between over the partnership's
    # calendar), so that reports can take medians in SQL: see docs/reports.md.
    working_days_to_close = models.PositiveIntegerField(null=True, blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="case_reference_once")
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            # The board's case list: a partnership's cases newest first, 50 a page.
            models.Index(
                fields=["partnership", "-raised_at", "-id"], name="case_partnership_newest"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class CaseReferenceCounter(models.Model):
    """The last case number given in a partnership in a year (references restart each year)."""

    partnership = models.ForeignKey(
        "agencies.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="reference_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id}/{self.year}: {self.last_number}"


class CaseStep(models.Model):
    """One step of the policy as this case lived it. Step 0 is a target beside step 1."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    is_target = models.BooleanField(
        default=False, help_text="A step 0 requirement: a target that never delays step 1."
    )

    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty: due never.")
    due_explanation = models.TextField(blank=True)
    due_set_by = models.CharField(max_length=10, choices=DueSetBy.choices, default=DueSetBy.RULE)
    due_change_reason = models.TextField(blank=True)

    # Who acts at this step on each side, copied from the policy when the step starts.
    challenging_role = models.CharField(max_length=30, blank=True)
    responding_role = models.CharField(max_length=30, blank=True)
    partnership_role = models.CharField(max_length=30, blank=True)

    challenging_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responding_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    record: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True, help_text="The step's written record (its pro forma section)."
    )
    meeting_held = models.BooleanField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=StepOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="case_step_once")]
        indexes = [
            models.Index(fields=["partnership_role", "case"]),
            # The sweep's query: open steps by due moment.
            models.Index(
                fields=["due_at"],
                name="open_step_due",
                condition=models.Q(completed_at__isnull=True, due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} step {self.number}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class Learning(models.Model):
    """What should change, recorded when a case is resolved, for the board."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="learning")
    summary = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    debrief_recommended = models.BooleanField(default=False)
    case_review_recommended = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Learning from {self.case.reference}"


class ResolutionProposal(models.Model):
    """A resolution put forward by someone acting at a step who is not of the raiser's side.

    The raiser (or a manager of the challenging agency) answers it: agreeing resolves the
    case, disputing escalates it to the next step. It waits only while its step is the
    case's current step; a case moved on another way leaves it unanswered.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="resolution_proposals")
    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    learning = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    debrief_recommended = models.BooleanField(default=False)
    case_review_recommended = models.BooleanField(default=False)
    answer = models.CharField(max_length=10, choices=ResolutionAnswer.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"Resolution of {self.case} proposed at {self.proposed_at:%Y-%m-%d %H:%M}"


class AccessLogChange(Exception):
    """The access log is written once and never changed or deleted through the product."""


class CaseAccessQuerySet(models.QuerySet["CaseAccess"]):
    def update(self, **kwargs: Any) -> int:
        raise AccessLogChange("The access log cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AccessLogChange("The access log cannot be deleted.")


class CaseAccess(models.Model):
    """Every read of a case, by whom and when. Written once: saving a row again, updating or
    deleting rows raise AccessLogChange (the admin shows no log at all)."""

    # PROTECT: deleting a person or a case would silently take their reads with them;
    # people who leave are made inactive instead.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=100)

    objects = CaseAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        # The case page's reads, newest first, read in index order (docs/decisions.md).
        indexes = [models.Index(fields=["case", "-at", "-id"], name="case_access_newest")]

    def __str__(self) -> str:
        return f"{self.user} read {self.case} ({self.what})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AccessLogChange("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AccessLogChange("The access log cannot be deleted.")


class StepChase(models.Model):
    """A safeguarding lead or the board's staff chasing an overdue step: who, when and why.

    The case's history holds the chase too (the transition saves the case with the reason);
    this row lets the chase window be checked and the board's report count chases.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chases")
    step = models.ForeignKey(CaseStep, on_delete=models.CASCADE, related_name="chases")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["step", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.case.reference} step {self.step.number} chased {self.at:%Y-%m-%d %H:%M}"
