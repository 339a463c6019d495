"""The lifecycle of a case and its steps, in words and as choices.

A case is raised OPEN at the first step of its route (step 1; a step 0 target, where the
policy has one, runs beside it and never delays it). While OPEN it climbs: each step ends
ESCALATED (to the next step), SKIPPED (only where the step allows it and a risk of
significant harm is flagged), or RESOLVED, which ends the case RESOLVED with what should be
learned. At any moment the raiser's side may WITHDRAW an open case, with a reason. RESOLVED
and WITHDRAWN are final: nothing changes a closed case.
"""

from django.db import models


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ResolutionAnswer(models.TextChoices):
    """The raiser's side's answer to a resolution proposed by the other side."""

    AGREED = "agreed", "Agreed"
    DISPUTED = "disputed", "Disputed"


class StepOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated"
    SKIPPED = "skipped", "Skipped"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MET = "met", "Met"  # a step 0 target that was met
    # A step 0 target left open when the case moved on past the step it runs beside: its
    # purpose is spent, so it is no longer waited for (nor overdue, nor chased).
    PASSED = "passed", "Passed: the case moved on"


class SubjectKind(models.TextChoices):
    CHILD = "child", "Child"
    YOUNG_PERSON = "young_person", "Young person (care-experienced, up to 25)"
    ADULT = "adult", "Adult"


class AgeBand(models.TextChoices):
    UNDER_1 = "0", "Under 1"
    AGE_1_4 = "1-4", "1 to 4"
    AGE_5_10 = "5-10", "5 to 10"
    AGE_11_15 = "11-15", "11 to 15"
    AGE_16_17 = "16-17", "16 to 17"
    AGE_18_25 = "18-25", "18 to 25"
    AGE_26_64 = "26-64", "26 to 64"
    AGE_65_PLUS = "65+", "65 and over"


class Side(models.TextChoices):
    """Who acts at a step: one of the two agencies, or the partnership (board level)."""

    CHALLENGING = "challenging", "Challenging agency"
    RESPONDING = "responding", "Responding agency"
    PARTNERSHIP = "partnership", "Partnership"


class PolicyVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class DueSetBy(models.TextChoices):
    RULE = "rule", "The policy's deadline rule"
    EARLIER = "earlier", "Set earlier to protect the person"
    LATER = "later", "Set later, with a reason"


class LearningTheme(models.TextChoices):
    """What should change, as recorded when a case is resolved and as the board's reports
    count it. Learning.themes holds these slugs (an older record may hold a theme's words, e.g.
    "Training": the reports count those too, whatever their letter case)."""

    PROTOCOLS = "protocols-and-procedures", "Protocols and procedures"
    TRAINING = "training", "Training"
    THRESHOLDS = "threshold-guidance", "Threshold guidance"
    COMMUNICATION = "communication-between-agencies", "Communication between agencies"
    GAPS = "gaps-in-provision", "Gaps in provision"
