"""Fifty people press "escalate" on the same case at the same moment: one wins.

Each thread has its own PostgreSQL connection (real transactions, real row locks); a barrier
releases them together into the domain's transition with the version each of them read.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from escalation.domain import case_escalate
from escalation.errors import StaleCase
from escalation.models import Case, CaseStep
from notifications.enums import Event
from notifications.models import OutboxMessage
from tests.escalation.world import build_world

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_threads_escalate_the_same_case_and_exactly_one_succeeds(presets):
    world = build_world(policy=presets["oscb-children"], code="CON")
    case = world.raise_case()
    by = world.actor(case, "challenging")
    version, first_step = case.version, case.current_step.number
    history_before = case.history.count()
    steps_before = CaseStep.objects.filter(case=case).count()
    barrier = threading.Barrier(THREADS)
    won: list[int] = []
    stale: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def escalate() -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            barrier.wait(timeout=60)
            try:
                done = case_escalate(
                    case=mine, by=by, reason="No reply in time.", expected_version=version
                )
            except StaleCase as error:
                with lock:
                    stale.append(str(error))
            else:
                with lock:
                    won.append(done.version)
        except BaseException as error:  # reported by `other == []` below
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=escalate) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert other == []
    assert won == [version + 1]
    assert len(stale) == THREADS - 1
    assert all(case.reference in message for message in stale)

    case.refresh_from_db()
    assert case.version == version + 1
    assert case.current_step.number == first_step + 1
    # History: one new row of the case, saying one step was escalated.
    rows = list(case.history.order_by("history_date"))
    assert len(rows) == history_before + 1
    assert rows[-1].history_change_reason.startswith(f"step {first_step} escalated")
    assert sum("escalated" in (row.history_change_reason or "") for row in rows) == 1
    steps = CaseStep.objects.filter(case=case)
    assert steps.count() == steps_before + 1
    assert steps.get(number=first_step).outcome == "escalated"
    assert steps.filter(number=first_step + 1).count() == 1
    # The case's events: one escalation, told once to each person.
    events = OutboxMessage.objects.filter(case=case, event=Event.CASE_ESCALATED)
    assert events.exists()
    assert set(events.values_list("step", flat=True)) == {case.current_step.pk}
    recipients = list(events.values_list("recipient", flat=True))
    assert len(recipients) == len(set(recipients))
