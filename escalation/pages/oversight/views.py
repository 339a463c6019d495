"""The oversight pages: a safeguarding lead's overdue cases, the board's case list, and the
policies with their timeline preview. Reads only: every form here is a GET form.

Who may see what:
- /overdue/: designated safeguarding leads; the open cases of their own agencies.
- /board/cases/: board staff and strategic safeguarding managers; their partnership's cases,
  as far as escalation.queries.cases.case_list_for_user lets them see.
- /policies/...: anyone who works in a partnership; every preset and their partnership's
  adopted and own policies (a policy of another partnership is a 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from agencies.calendars import LONDON
from escalation.models import Case, PolicyVersion
from escalation.pages.oversight.forms import BoardCaseFilterForm, OverdueFilterForm, TimelineForm
from escalation.pages.paging import CountedPaginator, pagination, query_with
from escalation.queries.cases import case_list_for_user
from escalation.queries.oversight import (
    OVERDUE_SORTS,
    TimelineInputError,
    adopted_policy_ids,
    board_case_list,
    board_partnership_ids,
    filter_cases,
    filter_choices,
    home_nation,
    lead_agency_ids,
    lead_partnership_ids,
    member_partnership_ids,
    overdue_horizons,
    overdue_list,
    policy_timeline,
    policy_version_for_user,
    policy_versions_for_user,
    step_actors_in_words,
    steps_in_words,
)
from escalation.queries.policies import policy_spec

BOARD_PAGE_SIZE = 50


# --- sorting links ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    key: str | None = None  # the sort key; None: not sortable
    href: str = ""
    aria_sort: str = ""  # "ascending" / "descending" on the sorted column


def _sort_columns(
    params: QueryDict, columns: list[tuple[str, str | None]], sort: str, descending: bool
) -> list[Column]:
    found = []
    for label, key in columns:
        if key is None:
            found.append(Column(label=label))
            continue
        is_sorted = key == sort
        flip = "asc" if is_sorted and descending else ("desc" if is_sorted else "asc")
        found.append(
            Column(
                label=label,
                key=key,
                href=query_with(params, sort=key, order=flip),
                aria_sort=("descending" if descending else "ascending") if is_sorted else "none",
            )
        )
    return found


def _title(text: str, form: Any) -> str:
    return f"Error: {text}" if form.is_bound and form.errors else text


# --- the safeguarding lead's overdue page ----------------------------------------------


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Open cases of the lead's agencies that are overdue or due within two working days."""
    user = request.user
    if not lead_agency_ids(user=user):
        raise PermissionDenied("Only a designated safeguarding lead has an overdue page.")
    lead_partnerships = lead_partnership_ids(user=user)
    scope = case_list_for_user(user=user).filter(partnership_id__in=lead_partnerships)
    choices = filter_choices(cases=scope, partnership_ids=lead_partnerships)
    filtering = any(key in request.GET for key in ("step", "agency", "policy", "risk"))
    form = OverdueFilterForm(request.GET if filtering else None, choices=choices)
    sort = request.GET.get("sort", "due")
    if sort not in OVERDUE_SORTS:
        sort = "due"
    descending = request.GET.get("order") == "desc"

    listed = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        listed = overdue_list(user=user, sort=sort, descending=descending, **filters)
    columns = _sort_columns(
        request.GET,
        [
            ("Case", "reference"),
            ("Agencies", None),
            ("Step", "step"),
            ("Due", "due"),
            ("Who must act", None),
        ],
        sort,
        descending,
    )
    rows = []
    if listed is not None:
        now = timezone.now()
        rows = [
            {
                "case": case,
                "actors": step_actors_in_words(case),
                "chase": bool(
                    case.current_step
                    and case.current_step.due_at
                    and case.current_step.due_at < now
                    and user.has_perm("escalation.chase_step", case)
                ),
            }
            for case in listed.cases
        ]
    horizons = listed.horizons if listed else overdue_horizons(user=user, now=timezone.now())
    return render(
        request,
        "escalation/oversight/overdue.html",
        {
            "title": _title("Overdue and due soon", form),
            "form": form,
            "listed": listed,
            "rows": rows,
            "columns": columns,
            "horizons": sorted(set(horizons.values())),
            "filtering": form.is_bound,
        },
    )


# --- the board's case list -------------------------------------------------------------


BOARD_FILTERS = (
    "status",
    "step",
    "agency",
    "policy",
    "route",
    "category",
    "risk",
    *(f"raised_{end}_{part}" for end in ("from", "to") for part in ("day", "month", "year")),
)


@login_required
def board_cases(request: HttpRequest) -> HttpResponse:
    """Every case of the person's partnership they may see, filtered, 50 a page."""
    user = request.user
    partnerships = board_partnership_ids(user=user)
    if not partnerships:
        raise PermissionDenied("Only board staff and strategic managers have the board pages.")
    cases = board_case_list(user=user)
    choices = filter_choices(cases=cases, partnership_ids=partnerships)
    filtering = any(key in request.GET for key in BOARD_FILTERS)
    form = BoardCaseFilterForm(request.GET if filtering else None, choices=choices)
    page = None
    total = cases.count()
    if not form.is_bound or form.is_valid():
        newest = cases.order_by("-raised_at", "-pk")
        if form.is_bound:
            paginator = Paginator(filter_cases(newest, **form.filters()), BOARD_PAGE_SIZE)
        else:
            # Unfiltered, the page's rows are the cases just counted for the total.
            paginator = CountedPaginator(newest, BOARD_PAGE_SIZE, count=total)
        page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "escalation/oversight/board_cases.html",
        {
            "title": _title("Cases of the partnership", form),
            "form": form,
            "rows": _named(list(page.object_list)) if page else [],
            "date_groups": form.date_groups(),
            **pagination(page, request.GET),
            "total": total,
            "filtering": form.is_bound,
        },
    )


def _named(cases: list[Case]) -> list[dict[str, Any]]:
    """Each case with its route's and category's names, from the policy version it follows."""
    rows = []
    for case in cases:
        spec = policy_spec(case.policy_version)
        route = next((r.name for r in spec.routes if r.slug == case.route), case.route)
        category = next((c.name for c in spec.categories if c.slug == case.category), case.category)
        rows.append(
            {
                "case": case,
                "route": route,
                "standard": case.route == spec.standard_route.slug,
                "category": category,
                "policy": spec.name,
            }
        )
    return rows


# --- the policies ----------------------------------------------------------------------


def _readable_version(request: HttpRequest, slug: str) -> PolicyVersion:
    if not member_partnership_ids(user=request.user):
        raise PermissionDenied("Only people who work in a partnership can read its policies.")
    try:
        return policy_version_for_user(user=request.user, slug=slug)
    except PolicyVersion.DoesNotExist:
        raise Http404("No such policy") from None


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every preset and the partnership's own and adopted policies."""
    if not member_partnership_ids(user=request.user):
        raise PermissionDenied("Only people who work in a partnership can read its policies.")
    adopted = adopted_policy_ids(user=request.user)
    versions = policy_versions_for_user(user=request.user)
    return render(
        request,
        "escalation/oversight/policy_list.html",
        {
            "rows": [
                {
                    "version": version,
                    "spec": policy_spec(version),
                    "adopted": version.policy_id in adopted,
                }
                for version in versions
            ],
        },
    )


@login_required
def policy_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A policy's routes and steps in words, its categories, and what it is not for."""
    version = _readable_version(request, slug)
    spec = policy_spec(version)
    return render(
        request,
        "escalation/oversight/policy_detail.html",
        {
            "version": version,
            "spec": spec,
            "adopted": version.policy_id in adopted_policy_ids(user=request.user),
            "routes": [{"route": r, "steps": steps_in_words(r)} for r in spec.routes],
        },
    )


@login_required
def policy_timeline_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What falls due when, if every step of a route runs to its deadline."""
    version = _readable_version(request, slug)
    spec = policy_spec(version)
    if request.GET:
        form = TimelineForm(request.GET, policy=spec)
    else:
        now = timezone.localtime(timezone.now(), LONDON)
        form = TimelineForm(policy=spec, initial=_timeline_initial(request, now, spec))
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        start: dt.datetime = data["start"]
        try:
            preview = policy_timeline(
                version=version,
                route=data["route"],
                nation=data["nation"],
                start=start,
                risk=data["risk"],
            )
        except TimelineInputError as error:
            form.add_error(error.field, error.message)
    return render(
        request,
        "escalation/oversight/policy_timeline.html",
        {
            "title": _title(f"Timeline preview: {spec.name}", form),
            "version": version,
            "spec": spec,
            "form": form,
            "date_groups": form.date_groups(),
            "preview": preview,
        },
    )


def _timeline_initial(request: HttpRequest, now: dt.datetime, spec: Any) -> dict[str, Any]:
    return {
        "start_day": now.day,
        "start_month": now.month,
        "start_year": now.year,
        "start_hour": f"{now.hour:02d}",
        "start_minute": "00",
        "nation": home_nation(user=request.user),
        "route": spec.standard_route.slug,
    }
