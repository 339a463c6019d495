"""The transitions: every change to a case, a policy or a step goes through a function here.

Callers (pages, the API, commands, jobs, the demo) import the transitions from this package;
reads live in escalation.queries, which never imports this package.
"""

from escalation.domain.cases import (
    case_agree_resolution,
    case_dispute_resolution,
    case_escalate,
    case_log_read,
    case_meet_target,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
    step_chase,
    step_record_outcome,
    step_set_due,
)
from escalation.domain.raising import case_raise

__all__ = [
    "case_agree_resolution",
    "case_dispute_resolution",
    "case_escalate",
    "case_log_read",
    "case_meet_target",
    "case_raise",
    "case_reassign",
    "case_resolve",
    "case_skip_step",
    "case_withdraw",
    "step_chase",
    "step_record_outcome",
    "step_set_due",
]
