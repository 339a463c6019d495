"""Working-day deadlines: the rules of DESIGN.md "Deadlines", with an explanation for each.

Pure functions over a WorkingCalendar; nothing here touches the database.
(Interface fixed; the implementation is being written.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RuleKind = Literal["working_days", "same_working_day", "clock_hours", "none"]
CountedFrom = Literal["step_start", "raised"]


@dataclass(frozen=True)
class DeadlineRule:
    kind: RuleKind
    amount: int = 0  # working days or clock hours
    counted_from: CountedFrom = "step_start"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DeadlineRule:
        return cls(
            kind=data["kind"],
            amount=int(data.get("amount", 0)),
            counted_from=data.get("from", "step_start"),
        )


@dataclass(frozen=True)
class WorkingCalendar:
    nation: str  # agencies.enums.Nation value
    closure_days: Mapping[dt.date, str] = field(default_factory=dict)
    close_of_business: dt.time = dt.time(17, 0)


@dataclass(frozen=True)
class Due:
    moment: dt.datetime | None  # aware; None: due never
    explanation: str
