"""Reads of policies: a version's typed policy, a case's route, a partnership's adopted
version, and a deadline rule in words (one function for every page; each asks for its wording)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from agencies.models import Partnership
from agencies.selectors import partnership_calendar
from escalation.deadlines import DeadlineRule, Due, compute_due
from escalation.enums import PolicyVersionStatus
from escalation.errors import InvalidTransition
from escalation.models import Case, PolicyVersion
from escalation.policy import PolicySpec, RouteSpec, policy_from_document

_spec_cache: dict[tuple[int, int, dt.datetime | None], PolicySpec] = {}


def policy_spec(version: PolicyVersion) -> PolicySpec:
    """The typed policy of a version. Published versions never change, so they are cached
    for the process, keyed by id, version number and publication moment together: a row
    deleted and its id reused (a test database, a restored backup) is never served stale."""
    if version.status != PolicyVersionStatus.PUBLISHED:
        return policy_from_document(version.document)
    key = (version.pk, version.number, version.published_at)
    spec = _spec_cache.get(key)
    if spec is None:
        spec = _spec_cache[key] = policy_from_document(version.document)
    return spec


def case_route(case: Case) -> RouteSpec:
    return policy_spec(case.policy_version).route(case.route)


def adopted_version(*, partnership: Partnership) -> PolicyVersion:
    """The newest published version of the partnership's adopted policy."""
    policy = partnership.adopted_policy
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED).order_by("-number").first()
        if policy
        else None
    )
    if version is None:
        raise InvalidTransition(
            f"{partnership.name} has not adopted a published policy yet: "
            "ask your partnership administrator."
        )
    return version


# --- a deadline rule in words ----------------------------------------------------------------

# How a page says a rule: "short" on the case page, beside the step ("5 working days");
# "after_due" on the raise pages, as the end of "due ..." ("within 5 working days");
# "sentence" on the policy page, where a rule stands alone and says where it counts from
# ("5 working days from the start of the step").
RuleWording = Literal["short", "after_due", "sentence"]

_NO_DEADLINE: dict[RuleWording, str] = {
    "short": "no deadline",
    "after_due": "with no deadline",
    "sentence": "No deadline",
}


def rule_in_words(rule: DeadlineRule, *, wording: RuleWording = "short") -> str:
    """A deadline rule in words, as the page's `wording` says it. A rule counted from the
    raising of the case says so in every wording; only "sentence" names the start of the
    step too.

    short: "5 working days", "same working day", "24 clock hours", "no deadline",
    "5 working days from the raising of the case", "same working day as the raising of the
    case". after_due: "within 5 working days", "by close of business on the working day it
    starts", "with no deadline", "within 24 clock hours of the raising of the case".
    sentence: "5 working days from the start of the step", "Close of business on the working
    day the case is raised", "No deadline".
    """
    if rule.kind == "none":
        return _NO_DEADLINE[wording]
    from_raising = rule.counted_from == "raised"
    if rule.kind == "same_working_day":
        return _same_working_day_in_words(from_raising=from_raising, wording=wording)
    amount = _amount_in_words(rule)
    if wording == "after_due":
        return f"within {amount}" + (" of the raising of the case" if from_raising else "")
    if wording == "sentence":
        origin = "the raising of the case" if from_raising else "the start of the step"
        return f"{amount} from {origin}"
    return amount + (" from the raising of the case" if from_raising else "")


def _amount_in_words(rule: DeadlineRule) -> str:
    unit = "clock hour" if rule.kind == "clock_hours" else "working day"
    return f"{rule.amount} {unit}" + ("" if rule.amount == 1 else "s")


def _same_working_day_in_words(*, from_raising: bool, wording: RuleWording) -> str:
    if wording == "after_due":
        words = "by close of business on the working day it starts"
        return words + (" of the raising of the case" if from_raising else "")
    if wording == "sentence":
        day = "the case is raised" if from_raising else "the step starts"
        return f"Close of business on the working day {day}"
    return "same working day" + (" as the raising of the case" if from_raising else "")


def first_step_due(
    route: RouteSpec, partnership: Partnership, *, risk: bool, now: dt.datetime
) -> Due:
    """When the route's first step would fall due by the policy's rule, were the case raised
    now (the raise pages' due page, and the API's raise)."""
    rule = route.ladder[0].rule(risk=risk)
    calendar = partnership_calendar(partnership=partnership)
    return compute_due(rule, step_start=now, raised_at=now, calendar=calendar)
