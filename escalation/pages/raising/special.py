"""What the special routes and the matters outside the procedure add to raising a challenge.

- A special route (4LSCB's MASH contact or referral route, dissent at a child protection
  conference...) asks its own questions (RouteSpec.questions), one page each, kept in the
  draft's route details.
- An answer that means the route cannot be used (a dissent by a professional who did not
  attend the conference: the option's `refuses` in the policy's data) leads to a page that says so, and the
  answer is not kept.
- A matter the policy says is not for this procedure (gaps in provision, emergencies) leads to
  a page that says where to go instead. Nothing is raised from either.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from escalation.forms import raising as rf
from escalation.pages.raising.drafts import Raising, draft_view
from escalation.pages.raising.page import Answer, QuestionPage
from escalation.pages.raising.pages import ROUTE
from escalation.policy import Question


class RouteQuestionPage(QuestionPage):
    """One question of the chosen route, at raise/<draft>/question/<slug>/."""

    def kept(self, r: Raising) -> dict[str, Any]:
        return r.details

    def url(self, r: Raising) -> str:
        return r.url("raise_question", self.key.removeprefix("question/"))


def answer_in_words(question: Question, value: Any) -> str:
    if value in (None, "", []):
        return "Not answered"
    names = {o.slug: o.name for o in question.options}
    if isinstance(value, list):
        return "; ".join(names.get(v, str(v)) for v in value)
    return names.get(value, str(value))


def _refused(question: Question, r: Raising, data: dict[str, Any]) -> str | None:
    """An answer that means the route cannot be used: forget the question's answer."""
    option = rf.refusal(question, data["answer"])
    if option is None:
        return None
    r.details.pop(question.slug, None)
    return r.url("raise_refused", question.slug, option.slug)


def route_question_page(question: Question) -> RouteQuestionPage:
    return RouteQuestionPage(
        key=f"question/{question.slug}",
        form_class=rf.RouteQuestionForm,
        answers=(
            Answer(
                question.slug, field="answer", default=[] if question.kind == "multiple" else ""
            ),
        ),
        template="escalation/raise/route_question.html",
        choice_field="answer" if question.kind in ("choice", "multiple") else "",
        options=lambda r: {"question": question},
        context=lambda r, form: {"question": question, "route": r.route},
        elsewhere=partial(_refused, question),
        rows=lambda r: [(question.label, answer_in_words(question, r.details.get(question.slug)))],
    )


def route_question(r: Raising, slug: str) -> Question | None:
    return next((q for q in r.route.questions if q.slug == slug), None)


@draft_view()
@require_GET
def not_for(request: HttpRequest, r: Raising, slug: str) -> HttpResponse:
    """A matter the policy says is not for this procedure: say where to go instead."""
    matter = next((m for m in r.spec.not_for_this_procedure if m.slug == slug), None)
    if matter is None:
        raise Http404("No such matter")
    return render(
        request,
        "escalation/raise/not_for.html",
        {"raising": r, "spec": r.spec, "matter": matter, "back_url": ROUTE.url(r)},
    )


@draft_view()
@require_GET
def refused(request: HttpRequest, r: Raising, slug: str, option: str) -> HttpResponse:
    """An answer that means the route cannot be used (a dissent by someone not at the
    conference): say so, and raise nothing."""
    found = route_question(r, slug)
    chosen = next((o for o in found.options if o.slug == option), None) if found else None
    if found is None or chosen is None or not chosen.refuses:
        raise Http404("No such refusal")
    return render(
        request,
        "escalation/raise/refused.html",
        {
            "raising": r,
            "route": r.route,
            "question": found,
            "option": chosen,
            "reason": chosen.refuses,
            "back_url": route_question_page(found).url(r),
            "route_url": ROUTE.url(r) if ROUTE.applies(r) else "",
        },
    )
