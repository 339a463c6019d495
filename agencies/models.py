"""Partnerships, their agencies, and the people who work in them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from agencies.enums import AgencyKind, Nation, Role


class Partnership(models.Model):
    """A safeguarding board or partnership: its nation picks the bank holidays, its closure
    days and close of business complete its working calendar, and it adopts one policy."""

    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=12, unique=True, help_text="Short code that starts every case reference."
    )
    nation = models.CharField(max_length=20, choices=Nation.choices)
    close_of_business = models.TimeField(
        default=dt.time(17, 0), help_text="Europe/London local time."
    )
    working_day_starts = models.TimeField(
        default=dt.time(8, 30),
        help_text="Europe/London local time. Reminders and overdue alerts wait for it.",
    )
    adopted_policy = models.ForeignKey(
        "escalation.Policy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adopted_by",
        help_text="The policy new cases follow (its newest published version).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosureDay(models.Model):
    """A local day on which the partnership's agencies do not count working days."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="closure_days"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "date"], name="closure_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.date:%a %d %b %Y} {self.name}"


class Agency(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="agency_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in an agency. A person may hold more than one membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    telephone = models.CharField(max_length=50, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["agency__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_once")
        ]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()}, {self.agency}"

    @property
    def partnership(self) -> Partnership:
        return self.agency.partnership
