"""Who may read a partnership's reports: its board staff and strategic safeguarding managers.

The predicate is over (user, partnership); reports_partnerships_for_user in selectors.py is
its queryset twin, and tests/reports/test_rules.py holds the two together.
"""

from __future__ import annotations

from typing import Any

import rules

from agencies.enums import Role
from escalation.rules import seats

REPORT_ROLES = frozenset({Role.BOARD_STAFF, Role.STRATEGIC_MANAGER})


def report_partnership_ids(user: Any) -> set[int]:
    """The partnerships whose reports the person may read."""
    return {s.partnership_id for s in seats(user) if s.role in REPORT_ROLES}


@rules.predicate
def is_report_reader(user: Any, partnership: Any) -> bool:
    """Board staff or a strategic safeguarding manager of this partnership."""
    return partnership is not None and partnership.pk in report_partnership_ids(user)


rules.add_perm("reports.view_report", is_report_reader)
