"""Seven OSCB cases (England) raised and closed around Christmas 2026, with known answers.

Bank holidays in England: Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day observed), Fri 1 Jan
2027. Close of business 17:00. Each case's working days to close, worked by hand (the days
after the raising's day 0, up to and including the closing's day 0, that are working days):

case  raised (UK time)         closed                     step  working days
A     Wed 23 Dec 10:00         resolved Tue 29 Dec 11:00  1     24, 29            = 2
B     Thu 24 Dec 16:00         resolved Wed 6 Jan 12:00   2     29,30,31,4,5,6    = 6
C     Tue 22 Dec 17:30 (day 0  resolved Thu 31 Dec 09:00  1     24,29,30,31       = 4
      is Wed 23: after close)
D     Mon 21 Dec 09:00         resolved Fri 8 Jan 16:00   3     22,23,24,29,30,31,
                                                                4,5,6,7,8        = 11
E     Wed 23 Dec 15:00         withdrawn Wed 30 Dec 10:00 1     (withdrawn)
F     Tue 5 Jan 10:00          open                       1
G     Mon 4 Jan 09:00 (dissent resolved Mon 4 Jan 16:00   1     same day          = 0
      at conference route)

Resolved: 0, 2, 4, 6, 11 -> median 4; 90th percentile (linear, as percentile_cont):
position 0.9 * 4 = 3.6, so 6 + 0.6 * (11 - 6) = 9.

Deadlines (5 working days each, from the step's start): A step 1 due Mon 4 Jan; B step 1 due
Tue 5 Jan, escalated Mon 4 Jan (on time), step 2 due Mon 11 Jan; D step 1 due Wed 30 Dec,
escalated Thu 31 Dec (late), step 2 due Fri 8 Jan, escalated Wed 6 Jan, step 3 due Wed 13
Jan; F step 1 due Tue 12 Jan, still open at NOW (Wed 20 Jan 2027 12:00): overdue. The step 0
targets (standard route only) share step 1's due moment and end when the case moves on past
step 1 (passed) or closes: B's passed on time (4 Jan, due 5 Jan); D's (due 30 Dec, passed 31
Dec) and F's (open) went overdue, each counted with its step 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from agencies.enums import Role
from escalation.domain import case_escalate, case_withdraw
from escalation.models import Case
from tests.escalation.world import World

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2027, 1, 20, 12, 0, tzinfo=LONDON)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@dataclass
class Scenario:
    world: World
    cases: dict[str, Case] = field(default_factory=dict)
    # Every subject identifier and free text in the data: none may appear in a report.
    identifiers: list[str] = field(default_factory=list)
    # The learning statements a report lists (D's holds its case's initials: withheld).
    statements: dict[str, str] = field(default_factory=dict)


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _escalate(world: World, case: Case, when: dt.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        return case_escalate(
            case=case,
            by=world.any_actor(case),
            reason="Not agreed at this step.",
            expected_version=case.version,
        )


def _resolve(world: World, case: Case, when: dt.datetime, **learning: Any) -> Case:
    with time_machine.travel(when, tick=False):
        return world.resolve(
            _reload(case),
            learning=learning.pop("summary", "The referral pathway was misread by both teams."),
            **learning,
        )


def build_scenario(world: World) -> Scenario:
    scenario = Scenario(world=world)
    unrelated_practitioner = world.person("unrelated", Role.PRACTITIONER)
    specs: dict[str, dict[str, Any]] = {
        "A": {"when": at(2026, 12, 23, 10)},
        "B": {"when": at(2026, 12, 24, 16)},
        "C": {"when": at(2026, 12, 22, 17, 30), "risk_of_significant_harm": True},
        "D": {"when": at(2026, 12, 21, 9)},
        "E": {"when": at(2026, 12, 23, 15), "category": "service-provision"},
        "F": {
            "when": at(2027, 1, 5, 10),
            "responding_agency": world.unrelated,
            "responding_person": unrelated_practitioner,
        },
        "G": {
            "when": at(2027, 1, 4, 9),
            "route": "conference-dissent",
            "route_details": {
                "dissenting-professional": "Dr Quentin Zebedee",
                "reason": "The plan leaves Xanthe at home with the risk unchanged.",
                "attended": "yes",
            },
        },
    }
    for index, (name, spec) in enumerate(specs.items()):
        when = spec.pop("when")
        initials = f"Q{chr(ord('K') + index)}"  # QK, QL, ...: letters found nowhere else
        own = f"HX-{771100 + index}"
        theirs = f"CS/{55200 + index}"
        disagreement = f"Disagreement text {name}: Xanthe Quorn-{index} was not seen at home."
        with time_machine.travel(when, tick=False):
            case = world.raise_case(
                subject_initials=initials,
                challenging_record_number=own,
                responding_record_number=theirs,
                disagreement=disagreement,
                responding_professional=f"Yolanda Vexley-{index}, duty team",
                **spec,
            )
        scenario.cases[name] = case
        scenario.identifiers += [
            initials,
            own,
            theirs,
            disagreement,
            f"Xanthe Quorn-{index}",
            f"Yolanda Vexley-{index}",
            case.reference,
        ]
    scenario.identifiers += ["Dr Quentin Zebedee", "Xanthe at home"]
    c = scenario.cases
    said = scenario.statements = {
        "A": "Statement A: threshold guidance should say who decides to close a referral.",
        "B": "Statement B: joint training on the referral pathway for both teams.",
        "C": "Statement C: urgent assessments out of hours have no service to go to.",
        "G": "Statement G: conference minutes should reach every agency within a day.",
    }

    _resolve(
        world,
        c["A"],
        at(2026, 12, 29, 11),
        themes=["training", "threshold-guidance"],
        summary=said["A"],
    )

    c["B"] = _escalate(world, _reload(c["B"]), at(2027, 1, 4, 10))
    _resolve(world, c["B"], at(2027, 1, 6, 12), themes=["Training"], summary=said["B"])

    _resolve(world, c["C"], at(2026, 12, 31, 9), themes=["gaps-in-provision"], summary=said["C"])

    c["D"] = _escalate(world, _reload(c["D"]), at(2026, 12, 31, 10))
    c["D"] = _escalate(world, _reload(c["D"]), at(2027, 1, 6, 10))
    _resolve(
        world,
        c["D"],
        at(2027, 1, 8, 16),
        themes=["something else entirely"],
        debrief_recommended=True,
        summary="Learning summary D: QN should have been seen at home.",
    )

    with time_machine.travel(at(2026, 12, 30, 10), tick=False):
        e = _reload(c["E"])
        case_withdraw(
            case=e, by=e.raised_by, reason="Agreed after a call.", expected_version=e.version
        )

    _resolve(
        world,
        c["G"],
        at(2027, 1, 4, 16),
        themes=["training", "Communication between agencies"],
        debrief_recommended=True,
        case_review_recommended=True,
        summary=said["G"],
    )
    scenario.identifiers.append("Learning summary D")
    scenario.cases = {name: _reload(case) for name, case in c.items()}
    return scenario
