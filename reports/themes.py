"""The words of the board's learning: the themes of what should change, and which routes
record dissent at a child protection conference. Imports nothing heavier than Django."""

from __future__ import annotations

from django.db import models


class Theme(models.TextChoices):
    """What should change, as the board counts it. Learning.themes holds these slugs; a theme
    recorded as its words (e.g. "Training") counts too, whatever its letter case."""

    PROTOCOLS = "protocols-and-procedures", "Protocols and procedures"
    TRAINING = "training", "Training"
    THRESHOLDS = "threshold-guidance", "Threshold guidance"
    COMMUNICATION = "communication-between-agencies", "Communication between agencies"
    GAPS = "gaps-in-provision", "Gaps in provision"


# Routes on which a case is dissent recorded at a child protection conference (the OSCB and
# 4LSCB presets' "Dissent at a Child Protection Conference"). "conference-need" (dissent
# about whether to hold a conference) is not dissent *at* a conference, so it is left out.
CONFERENCE_DISSENT_ROUTES: tuple[str, ...] = ("conference-dissent",)
