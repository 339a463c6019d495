"""The order of the question pages for a raising, and where Back and Continue lead."""

from __future__ import annotations

from django.urls import reverse

from escalation.forms import raising as rf
from escalation.pages.raising.drafts import Raising
from escalation.pages.raising.page import QuestionPage
from escalation.pages.raising.pages import AFTER_QUESTIONS, BEFORE_QUESTIONS
from escalation.pages.raising.special import route_question_page

# The pages at raise/<draft>/<key>/ (the route's questions have addresses of their own).
PAGES_BY_KEY = {page.key: page for page in (*BEFORE_QUESTIONS, *AFTER_QUESTIONS)}


def journey(r: Raising) -> list[QuestionPage]:
    """The pages this raising asks, in order (a page that does not apply is left out)."""
    pages = [
        *BEFORE_QUESTIONS,
        *(route_question_page(q) for q in rf.ordered_questions(r.route)),
        *AFTER_QUESTIONS,
    ]
    return [p for p in pages if p.applies(r)]


def next_url(r: Raising) -> str:
    """The first page not yet answered, else check your answers."""
    for page in journey(r):
        if not page.answered(r):
            return page.url(r)
    return r.url("raise_check")


def back_url(r: Raising, page: QuestionPage | None) -> str:
    """The page before `page` (None: the check page), or check your answers when the person
    came from there to change an answer."""
    if r.request.GET.get("from") == "check":
        return r.url("raise_check")
    pages = journey(r)
    if page is None:
        return pages[-1].url(r)
    index = [p.key for p in pages].index(page.key)
    return pages[index - 1].url(r) if index > 0 else reverse("escalation:home")
