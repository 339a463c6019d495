"""Template helpers shared by every page: moments, status tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from escalation.enums import CaseStatus

register = template.Library()


@register.filter
def moment(value: dt.datetime | None) -> str:
    """17:00 Tue 5 Jan 2027, in UK time; "due never" for no moment."""
    if value is None:
        return "never"
    local = timezone.localtime(value)
    return f"{local:%H:%M} {local:%a} {local.day} {local:%b %Y}"


def case_is_overdue(case: Any, now: dt.datetime | None = None) -> bool:
    step = case.current_step
    return bool(
        case.status == CaseStatus.OPEN
        and step is not None
        and step.due_at is not None
        and step.due_at < (now or timezone.now())
    )


@register.simple_tag
def case_tags(case: Any) -> SafeString:
    """GOV.UK tags for a case: resolved, withdrawn, overdue, open; and at risk."""
    tags = []
    if case.status == CaseStatus.RESOLVED:
        tags.append(("govuk-tag--green", "Resolved"))
    elif case.status == CaseStatus.WITHDRAWN:
        tags.append(("govuk-tag--grey", "Withdrawn"))
    elif case_is_overdue(case):
        tags.append(("govuk-tag--red", "Overdue"))
    else:
        tags.append(("govuk-tag--blue", "Open"))
    if case.risk_of_significant_harm and case.status == CaseStatus.OPEN:
        tags.append(("govuk-tag--orange", "At risk"))
    return SafeString(
        " ".join(format_html('<strong class="govuk-tag {}">{}</strong>', c, t) for c, t in tags)
    )
