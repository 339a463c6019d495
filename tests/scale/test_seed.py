"""The bench's seed (bench/seed.py) at a tiny size: the counts it promises, cases that the
product's pages read as they read their own, the archive's whole ladders that bring the steps
to the number asked, and a second run that leaves everything as it is."""

import pytest
from django.db.models import Count, Max, Min
from django.test import override_settings

from bench import seed
from escalation.models import Case, CaseStep
from escalation.queries.cases import case_list_for_user

pytestmark = pytest.mark.django_db


def test_the_seed_makes_what_it_says_and_a_second_run_is_a_no_op():
    first = seed.seed(partnerships=3, cases=60, steps=400)
    assert (first.partnerships, first.cases, first.steps, first.created) == (3, 60, 400, True)
    ours = Case.objects.filter(partnership__code__startswith="bseed")
    pages = ours.exclude(partnership__code__startswith=seed.ARCHIVE)
    archive = ours.filter(partnership__code__startswith=seed.ARCHIVE)
    assert pages.count() == 60
    assert CaseStep.objects.filter(case__in=ours).count() == 400
    # The 60 cases' own steps (the draws are fixed); the archive holds the other 256: 42
    # whole ladders of six and one case of the four left over.
    assert CaseStep.objects.filter(case__in=pages).count() == 144
    assert first.archive_cases == archive.count() == 43
    ladders = archive.annotate(n=Count("steps")).values_list("n", flat=True)
    assert sorted(ladders) == [4] + [6] * 42
    assert archive.values("partnership").distinct().count() == seed.ARCHIVE_PARTNERSHIPS

    per_case = pages.annotate(n=Count("steps")).aggregate(low=Min("n"), high=Max("n"))
    assert per_case["low"] >= 1
    assert per_case["high"] <= seed.MAX_STEPS
    assert Case.history.filter(id__in=ours.values("id")).count() == 60 + 43
    assert CaseStep.history.filter(case_id__in=ours.values("id")).count() == 400
    open_cases = pages.filter(status="open").select_related("current_step")
    assert open_cases.exists()
    assert {(c.current_step.completed_at, c.current_step.due_at) for c in open_cases} == {
        (None, seed.DUE_FAR)
    }
    assert not ours.exclude(status="open").filter(current_step__completed_at=None).exists()

    # The archive: closed, every step completed, resolved at its last step, which is current.
    assert set(archive.values_list("status", flat=True)) == {"resolved"}
    assert not CaseStep.objects.filter(case__in=archive, completed_at=None).exists()
    whole = archive.annotate(n=Count("steps")).filter(n=6).first()
    assert whole is not None
    assert list(whole.steps.values_list("number", "is_target", "outcome")) == [
        (0, True, "met"),
        (1, False, "escalated"),
        (2, False, "escalated"),
        (3, False, "escalated"),
        (4, False, "escalated"),
        (5, False, "resolved"),
    ]
    assert whole.current_step is not None and whole.current_step.number == 5
    assert whole.closed_at is not None and whole.raised_at < seed.START

    # 60 cases in 3 partnerships: 30 in the first (half, at most MANY), 10 in the second.
    assert case_list_for_user(user=seed.person("many")).count() == 30
    assert case_list_for_user(user=seed.person("few")).count() == seed.FEW
    assert case_list_for_user(user=seed.person("board-few")).count() == seed.FEW

    again = seed.seed(partnerships=3, cases=60, steps=400)
    assert (again.cases, again.archive_cases, again.steps, again.created) == (60, 43, 400, False)


def test_no_archive_when_the_cases_own_steps_reach_the_number_asked():
    made = seed.seed(partnerships=3, cases=60, steps=100)
    assert (made.cases, made.archive_cases, made.steps) == (60, 0, 144)
    assert not Case.objects.filter(partnership__code__startswith=seed.ARCHIVE).exists()


@override_settings(RESOLVE_TWO_FACTOR=False)
def test_the_pages_the_bench_loads_answer_for_seeded_cases(client):
    seed.seed(partnerships=3, cases=60, steps=400)
    few = seed.person("few")
    client.force_login(few)
    longest = case_list_for_user(user=few).annotate(n=Count("steps")).order_by("-n").first()
    assert longest is not None
    for path in ("/", f"/cases/{longest.reference}/"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert longest.reference.encode() in client.get("/").content
    client.force_login(seed.person("board-few"))
    assert client.get("/board/cases/").status_code == 200
