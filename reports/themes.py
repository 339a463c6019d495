"""The words of the board's learning: the themes of what should change, and which routes
record dissent at a child protection conference. The themes are escalation's one enum
(escalation.enums.LearningTheme), named Theme here. Imports nothing heavier than Django."""

from __future__ import annotations

from escalation.enums import LearningTheme as Theme

__all__ = ["CONFERENCE_DISSENT_ROUTES", "Theme"]

# Routes on which a case is dissent recorded at a child protection conference (the OSCB and
# 4LSCB presets' "Dissent at a Child Protection Conference"). "conference-need" (dissent
# about whether to hold a conference) is not dissent *at* a conference, so it is left out.
CONFERENCE_DISSENT_ROUTES: tuple[str, ...] = ("conference-dissent",)
