"""A raising in progress: its draft in the session, and what its pages read from it.

Each raising is a draft with its own id in the address, so two raisings in two tabs never
mix; a draft belongs to the person who started it (anyone else gets a 404), and only people
allowed by `escalation.raise_case` for the draft's agency use it (others get the 403 page).
Nothing is written to the database before the check-answers page raises the case.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from escalation.errors import CaseError, InvalidTransition
from escalation.forms import raising as rf
from escalation.policy import PolicySpec, RouteSpec
from escalation.queries.policies import adopted_version, policy_spec

SESSION_KEY = "raise_drafts"
MAX_DRAFTS = 10  # a person's unfinished raisings kept in their session, newest first


def _drafts(request: HttpRequest) -> dict[str, dict[str, Any]]:
    drafts = request.session.get(SESSION_KEY)
    if not isinstance(drafts, dict):
        drafts = request.session[SESSION_KEY] = {}
    return drafts


def new_draft(request: HttpRequest, agency: Agency, *, many: bool) -> str:
    """Start a raising for `agency` (`many`: the person may raise for more than one)."""
    drafts = _drafts(request)
    draft_id = secrets.token_hex(8)
    drafts[draft_id] = {
        "owner": request.user.pk,
        "agency": agency.pk,
        "many": many,
        "created": timezone.now().isoformat(),
        "answers": {},
        "reference": "",
    }
    for old in sorted(drafts, key=lambda k: drafts[k]["created"], reverse=True)[MAX_DRAFTS:]:
        del drafts[old]
    request.session.modified = True
    return draft_id


@dataclass
class Raising:
    """One draft, with what its pages need: the agency raising and its partnership's policy."""

    request: HttpRequest
    draft_id: str
    draft: dict[str, Any]
    agency: Agency
    spec: PolicySpec

    @property
    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = self.draft["answers"]
        return answers

    @property
    def details(self) -> dict[str, Any]:
        """The answers to the chosen route's own questions."""
        details: dict[str, Any] = self.answers.setdefault("details", {})
        return details

    @property
    def route(self) -> RouteSpec:
        slug = self.answers.get("route")
        if slug:
            try:
                return self.spec.route(slug)
            except KeyError:
                pass
        return self.spec.standard_route

    @property
    def subject(self) -> str:
        return rf.subject_words(kind=self.answers.get("subject_kind"), audience=self.spec.audience)

    def responding_agency(self) -> Agency | None:
        pk = self.answers.get("responding_agency")
        if pk is None:
            return None
        return rf.agencies_to_disagree_with(agency=self.agency).filter(pk=pk).first()

    def responding_person(self) -> Any:
        """The chosen Resolve user of the agency disagreed with, if still one of its people."""
        pk = self.answers.get("responding_person")
        agency = self.responding_agency()
        if not pk or agency is None:
            return None
        return rf.people_of_agency(agency=agency).filter(pk=pk).first()

    def url(self, name: str, *args: str) -> str:
        return reverse(f"escalation:{name}", args=[self.draft_id, *args])

    def saved(self) -> None:
        self.request.session.modified = True


def load_raising(request: HttpRequest, draft_id: str) -> Raising:
    """The person's draft (404 otherwise), if they may still raise for its agency (403)."""
    draft = _drafts(request).get(draft_id)
    if not draft or draft.get("owner") != request.user.pk:
        raise Http404("No such raising")
    agency = Agency.objects.select_related("partnership").filter(pk=draft["agency"]).first()
    if agency is None:
        raise Http404("No such agency")
    if not request.user.has_perm("escalation.raise_case", agency):
        raise PermissionDenied("You cannot raise a challenge for this agency")
    version = adopted_version(partnership=agency.partnership)  # InvalidTransition: none adopted
    return Raising(request, draft_id, draft, agency, policy_spec(version))


def no_policy(request: HttpRequest, error: CaseError) -> HttpResponse:
    return render(request, "escalation/raise/no_policy.html", {"message": error.message})


def draft_view(*, submitted: bool = False) -> Callable[..., Callable[..., HttpResponse]]:
    """Load the draft (404 when it is not this person's), check permission, and send a
    raising that has already been submitted to its confirmation."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, draft_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                raising = load_raising(request, draft_id)
            except InvalidTransition as error:
                return no_policy(request, error)
            if bool(raising.draft.get("reference")) != submitted:
                if submitted:
                    raise Http404("Not raised yet")
                return redirect(raising.url("raise_done"))
            return view(request, raising, *args, **kwargs)

        return wrapper

    return decorate
