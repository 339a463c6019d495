"""The bench's seed (bench/seed.py) at a tiny size: the counts it promises, cases that the
product's pages read as they read their own, and a second run that leaves everything as it is."""

import pytest
from django.db.models import Count, Max, Min
from django.test import override_settings

from bench import seed
from escalation.models import Case, CaseStep
from escalation.queries.cases import case_list_for_user

pytestmark = pytest.mark.django_db


def test_the_seed_makes_what_it_says_and_a_second_run_is_a_no_op():
    first = seed.seed(partnerships=3, cases=60)
    assert (first.partnerships, first.cases, first.created) == (3, 60, True)
    assert (
        first.steps == CaseStep.objects.filter(case__partnership__code__startswith="bseed").count()
    )

    ours = Case.objects.filter(partnership__code__startswith="bseed")
    per_case = ours.annotate(n=Count("steps")).aggregate(low=Min("n"), high=Max("n"))
    assert per_case["low"] >= 1
    assert per_case["high"] <= seed.MAX_STEPS
    assert Case.history.filter(id__in=ours.values("id")).count() == 60
    assert CaseStep.history.filter(case_id__in=ours.values("id")).count() == first.steps
    open_cases = ours.filter(status="open").select_related("current_step")
    assert open_cases.exists()
    assert {(c.current_step.completed_at, c.current_step.due_at) for c in open_cases} == {
        (None, seed.DUE_FAR)
    }
    assert not ours.exclude(status="open").filter(current_step__completed_at=None).exists()

    # 60 cases in 3 partnerships: 30 in the first (half, at most MANY), 10 in the second.
    assert case_list_for_user(user=seed.person("many")).count() == 30
    assert case_list_for_user(user=seed.person("few")).count() == seed.FEW
    assert case_list_for_user(user=seed.person("board-few")).count() == seed.FEW

    again = seed.seed(partnerships=3, cases=60)
    assert (again.cases, again.steps, again.created) == (60, first.steps, False)


@override_settings(RESOLVE_TWO_FACTOR=False)
def test_the_pages_the_bench_loads_answer_for_seeded_cases(client):
    seed.seed(partnerships=3, cases=60)
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
