"""The words of the pro forma app."""

from django.db import models


class JobStatus(models.TextChoices):
    """A whole-record render queued as a job: queued -> running -> done, or failed.
    A failed job stays failed; the person asks for a new one."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being produced"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
