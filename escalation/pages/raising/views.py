"""The start of a raising, and the one view of every question page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from escalation.errors import InvalidTransition
from escalation.forms import raising as rf
from escalation.pages.raising.drafts import Raising, draft_view, load_raising, new_draft, no_policy
from escalation.pages.raising.journey import PAGES_BY_KEY, back_url, next_url
from escalation.pages.raising.page import QuestionPage
from escalation.pages.raising.special import route_question, route_question_page


def render_page(
    request: HttpRequest, r: Raising, page: QuestionPage, form: rf.RaiseForm
) -> HttpResponse:
    context: dict[str, Any] = {
        "raising": r,
        "spec": r.spec,
        "form": form,
        "page": page,
        "back_url": back_url(r, page),
        "action": page.url(r),
        "subject": r.subject,
        **page.context(r, form),
    }
    if page.choice_field:
        context["choice"] = form[page.choice_field]
        context["items"] = form.items(page.choice_field)
    return render(request, page.template, context)


def show_page(request: HttpRequest, r: Raising, page: QuestionPage) -> HttpResponse:
    """A question page: its form, and on a good answer the next page not yet answered (or
    where the answer leads instead). A bad answer shows the errors and keeps nothing."""
    if not page.applies(r):
        raise Http404("No such page")
    if (first := page.missing(r)) is not None:
        return redirect(first)
    if request.method == "POST":
        form = page.form(r, request.POST)
        if form.is_valid():
            target = page.save(r, form.cleaned_data)
            r.saved()
            # Read the draft again: a change of agency can change the partnership's policy.
            return redirect(target or next_url(load_raising(request, r.draft_id)))
    else:
        form = page.form(r)
    return render_page(request, r, page, form)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The start: which of your agencies you raise for, when you may raise for more than one."""
    agencies = rf.agencies_user_may_raise_for(user=request.user)
    if not agencies:
        raise PermissionDenied("Your roles do not let you raise a challenge")
    if len(agencies) == 1:
        draft_id = new_draft(request, agencies[0], many=False)
    else:
        form = rf.RaiseForForm(
            request.POST if request.method == "POST" else None, agencies=agencies
        )
        if not (request.method == "POST" and form.is_valid()):
            context = {
                "form": form,
                "choice": form["agency"],
                "items": form.items("agency"),
                "back_url": reverse("escalation:home"),
                "action": reverse("escalation:raise"),
            }
            return render(request, "escalation/raise/choose.html", context)
        chosen = next(a for a in agencies if str(a.pk) == form.cleaned_data["agency"])
        draft_id = new_draft(request, chosen, many=True)
    try:
        raising = load_raising(request, draft_id)
    except InvalidTransition as error:
        return no_policy(request, error)
    return redirect(next_url(raising))


@draft_view()
@require_http_methods(["GET", "POST"])
def answer_page(request: HttpRequest, r: Raising, key: str) -> HttpResponse:
    """Every question page but the route's own questions."""
    page = PAGES_BY_KEY.get(key)
    if page is None:
        raise Http404("No such page")
    return show_page(request, r, page)


@draft_view()
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, r: Raising, slug: str) -> HttpResponse:
    """A question of the chosen route."""
    found = route_question(r, slug)
    if found is None:
        raise Http404("The route does not ask this")
    return show_page(request, r, route_question_page(found))
