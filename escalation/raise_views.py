"""Raise a challenge: GOV.UK question pages, one thing per page, then check your answers.

The answers live in the session until the check-answers page raises the case through
escalation.services.case_raise; nothing is written to the database before that. Each raising
is a draft with its own id in the address, so two raisings in two tabs never mix, and a draft
belongs to the person who started it: anyone else gets a 404. Only people allowed by
`escalation.raise_case` for the draft's agency use these pages (others get the 403 page).

The pages, in order (a page that does not apply is left out):
  for           which of your agencies you raise for (only with more than one)
  route         the policy's routes, and the matters that are not for this procedure
  agency        the agency you disagree with
  professional  their name and role, and the person if they use Resolve
  subject       who it is about: kind, initials, age band (no names)
  records       each agency's record number
  category      the policy's categories
  question/<q>  each question of the chosen route (RouteSpec.questions)
  disagreement  the disagreement and its impact, in your words
  risk          risk of significant harm, with what it changes under this policy
  due           an earlier due moment for the first step (optional)
  check         check your answers, then raise
  done          confirmation: the reference and the first due moment
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency
from agencies.selectors import partnership_calendar
from escalation import raise_forms as rf
from escalation.deadlines import Due, compute_due
from escalation.enums import AgeBand, Side, SubjectKind
from escalation.errors import CaseError, InvalidInput, InvalidTransition, NotAllowed
from escalation.models import Case
from escalation.policy import PolicySpec, Question, RouteSpec
from escalation.selectors import case_get_for_user, case_steps
from escalation.services import (
    adopted_version,
    case_log_read,
    case_raise,
    case_route,
    policy_spec,
)

SIDE_WORDS: dict[str, str] = {
    Side.CHALLENGING: "Your agency",
    Side.RESPONDING: "The agency you disagree with",
    Side.PARTNERSHIP: "The partnership",
}
SESSION_KEY = "raise_drafts"
MAX_DRAFTS = 10  # a person's unfinished raisings kept in their session, newest first


# --- drafts in the session ---------------------------------------------------------------


def _drafts(request: HttpRequest) -> dict[str, dict[str, Any]]:
    drafts = request.session.get(SESSION_KEY)
    if not isinstance(drafts, dict):
        drafts = request.session[SESSION_KEY] = {}
    return drafts


def _new_draft(request: HttpRequest, agency: Agency, *, many: bool) -> str:
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

    def url(self, name: str, *args: str) -> str:
        return reverse(f"escalation:{name}", args=[self.draft_id, *args])

    def saved(self) -> None:
        self.request.session.modified = True


def _load(request: HttpRequest, draft_id: str) -> Raising:
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


def _no_policy(request: HttpRequest, error: CaseError) -> HttpResponse:
    return render(request, "escalation/raise/no_policy.html", {"message": error.message})


def draft_view(*, submitted: bool = False) -> Callable[..., Callable[..., HttpResponse]]:
    """Load the draft (404 when it is not this person's), check permission, and send a
    raising that has already been submitted to its confirmation."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, draft_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                raising = _load(request, draft_id)
            except InvalidTransition as error:
                return _no_policy(request, error)
            if bool(raising.draft.get("reference")) != submitted:
                if submitted:
                    raise Http404("Not raised yet")
                return redirect(raising.url("raise_done"))
            return view(request, raising, *args, **kwargs)

        return wrapper

    return decorate


# --- the pages ---------------------------------------------------------------------------


class Page:
    """A question page: what it asks (its form), when it applies, and what it keeps."""

    key = ""
    template = "escalation/raise/choose.html"
    choice_field = ""  # the radios rendered with hints by _choices.html

    def applies(self, r: Raising) -> bool:
        return True

    def answered(self, r: Raising) -> bool:
        raise NotImplementedError

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        raise NotImplementedError

    def initial(self, r: Raising) -> dict[str, Any]:
        return {}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        """Keep the answer; return an address to go to instead of the next page."""
        raise NotImplementedError

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return []

    def url(self, r: Raising) -> str:
        return r.url("raise_page", self.key)

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {}


class ForPage(Page):
    key = "for"
    choice_field = "agency"

    def applies(self, r: Raising) -> bool:
        return bool(r.draft.get("many"))

    def answered(self, r: Raising) -> bool:
        return True

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        agencies = rf.agencies_user_may_raise_for(user=r.request.user)
        return rf.RaiseForForm(data, initial=self.initial(r), agencies=agencies)

    def initial(self, r: Raising) -> dict[str, Any]:
        return {"agency": str(r.agency.pk)}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        agency = Agency.objects.select_related("partnership").get(pk=data["agency"])
        if agency.partnership_id != r.agency.partnership_id:
            r.draft["answers"] = {}  # another partnership: another policy, other agencies
        elif r.answers.get("responding_agency") == agency.pk:
            for key in ("responding_agency", "responding_professional", "responding_person"):
                r.answers.pop(key, None)
        r.draft["agency"] = agency.pk
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return [("Raising for", r.agency.name)]


class RoutePage(Page):
    key = "route"
    choice_field = "route"

    def applies(self, r: Raising) -> bool:
        return len(r.spec.routes) > 1 or bool(r.spec.not_for_this_procedure)

    def answered(self, r: Raising) -> bool:
        return "route" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.RouteForm(data, initial=self.initial(r), spec=r.spec)

    def initial(self, r: Raising) -> dict[str, Any]:
        return {"route": r.answers.get("route")}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        value = data["route"]
        if value.startswith(rf.NOT_FOR_PREFIX):
            return r.url("raise_not_for", value.removeprefix(rf.NOT_FOR_PREFIX))
        if r.answers.get("route") != value:
            r.answers["details"] = {}
        r.answers["route"] = value
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return [("Route", r.route.name)]


class RespondingAgencyPage(Page):
    key = "agency"
    choice_field = "responding_agency"

    def answered(self, r: Raising) -> bool:
        return "responding_agency" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        agencies = rf.agencies_to_disagree_with(agency=r.agency)
        return rf.RespondingAgencyForm(data, initial=self.initial(r), agencies=agencies)

    def initial(self, r: Raising) -> dict[str, Any]:
        pk = r.answers.get("responding_agency")
        return {"responding_agency": str(pk) if pk else None}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        pk = int(data["responding_agency"])
        if r.answers.get("responding_agency") != pk:
            r.answers.pop("responding_person", None)
            r.answers.pop("responding_professional", None)
        r.answers["responding_agency"] = pk
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        agency = r.responding_agency()
        return [("Agency you disagree with", agency.name if agency else "")]


class ProfessionalPage(Page):
    key = "professional"
    template = "escalation/raise/professional.html"

    def answered(self, r: Raising) -> bool:
        return "responding_professional" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        agency = r.responding_agency()
        if agency is None:
            raise Http404("Choose the agency first")
        return rf.ProfessionalForm(data, initial=self.initial(r), agency=agency)

    def initial(self, r: Raising) -> dict[str, Any]:
        return {
            "responding_professional": r.answers.get("responding_professional", ""),
            "responding_person": r.answers.get("responding_person") or "",
        }

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        r.answers["responding_professional"] = data["responding_professional"]
        person = data.get("responding_person")
        r.answers["responding_person"] = person.pk if person else None
        return None

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {"responding_agency": r.responding_agency()}

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        rows = [("Professional you disagree with", r.answers.get("responding_professional", ""))]
        person = _person(r)
        rows.append(
            (
                "Their Resolve account",
                (person.get_full_name() or person.username) if person else "None chosen",
            )
        )
        return rows


class SubjectPage(Page):
    key = "subject"
    template = "escalation/raise/subject.html"

    def answered(self, r: Raising) -> bool:
        return "subject_initials" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.SubjectForm(data, initial=self.initial(r), spec=r.spec)

    def initial(self, r: Raising) -> dict[str, Any]:
        kinds = rf.kinds_for(r.spec)
        return {
            "subject_kind": r.answers.get("subject_kind", kinds[0] if len(kinds) == 1 else None),
            "subject_initials": r.answers.get("subject_initials", ""),
            "subject_age_band": r.answers.get("subject_age_band"),
        }

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {
            "kind_items": form.items("subject_kind"),
            "band_items": form.items("subject_age_band"),
        }

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        for key in ("subject_kind", "subject_initials", "subject_age_band"):
            r.answers[key] = data[key]
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        kind = r.answers.get("subject_kind", "")
        band = r.answers.get("subject_age_band", "")
        return [
            (
                "About",
                f"{SubjectKind(kind).label if kind else ''}, initials "
                f"{r.answers.get('subject_initials', '')}, aged {AgeBand(band).label.lower() if band else ''}",
            )
        ]


class RecordsPage(Page):
    key = "records"
    template = "escalation/raise/records.html"

    def answered(self, r: Raising) -> bool:
        return "challenging_record_number" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.RecordNumbersForm(
            data, initial=self.initial(r), agency=r.agency, responding=r.responding_agency()
        )

    def initial(self, r: Raising) -> dict[str, Any]:
        return {
            "challenging_record_number": r.answers.get("challenging_record_number", ""),
            "responding_record_number": r.answers.get("responding_record_number", ""),
        }

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        r.answers["challenging_record_number"] = data["challenging_record_number"].strip()
        r.answers["responding_record_number"] = data["responding_record_number"].strip()
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        theirs = r.responding_agency()
        return [
            (
                f"{r.agency.name} record number",
                r.answers.get("challenging_record_number") or "Not given",
            ),
            (
                f"{theirs.name if theirs else 'Other agency'} record number",
                r.answers.get("responding_record_number") or "Not given",
            ),
        ]


class CategoryPage(Page):
    key = "category"
    choice_field = "category"

    def answered(self, r: Raising) -> bool:
        return "category" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.CategoryForm(data, initial=self.initial(r), spec=r.spec)

    def initial(self, r: Raising) -> dict[str, Any]:
        return {"category": r.answers.get("category")}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        r.answers["category"] = data["category"]
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        slug = r.answers.get("category", "")
        try:
            name = r.spec.category(slug).name
        except KeyError:
            name = ""
        return [("What it is about", name)]


class QuestionPage(Page):
    """One question of the chosen route."""

    template = "escalation/raise/route_question.html"

    def __init__(self, question: Question) -> None:
        self.question = question
        self.key = f"question/{question.slug}"
        self.choice_field = "answer" if question.kind in ("choice", "multiple") else ""

    def answered(self, r: Raising) -> bool:
        return self.question.slug in r.details

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.route_question_form(self.question)(data, initial=self.initial(r))

    def initial(self, r: Raising) -> dict[str, Any]:
        default: Any = [] if self.question.kind == "multiple" else ""
        return {"answer": r.details.get(self.question.slug, default)}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        value = data["answer"]
        refused = rf.refusal(self.question, value)
        if refused is not None:
            r.details.pop(self.question.slug, None)
            return r.url("raise_refused", self.question.slug, refused.slug)
        r.details[self.question.slug] = value.strip() if isinstance(value, str) else list(value)
        return None

    def url(self, r: Raising) -> str:
        return r.url("raise_question", self.question.slug)

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {"question": self.question, "route": r.route}

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return [
            (
                self.question.label,
                _answer_in_words(self.question, r.details.get(self.question.slug)),
            )
        ]


class DisagreementPage(Page):
    key = "disagreement"
    template = "escalation/raise/disagreement.html"

    def answered(self, r: Raising) -> bool:
        return "disagreement" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.DisagreementForm(data, initial=self.initial(r), subject=r.subject)

    def initial(self, r: Raising) -> dict[str, Any]:
        return {
            "disagreement": r.answers.get("disagreement", ""),
            "impact": r.answers.get("impact", ""),
        }

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        r.answers["disagreement"] = data["disagreement"].strip()
        r.answers["impact"] = data["impact"].strip()
        return None

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return [
            ("The disagreement", r.answers.get("disagreement", "")),
            (f"Impact on {r.subject}", r.answers.get("impact", "")),
        ]


class RiskPage(Page):
    key = "risk"
    template = "escalation/raise/risk.html"
    choice_field = "risk"

    def answered(self, r: Raising) -> bool:
        return "risk" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        return rf.RiskForm(data, initial=self.initial(r), subject=r.subject)

    def initial(self, r: Raising) -> dict[str, Any]:
        risk = r.answers.get("risk")
        return {"risk": None if risk is None else ("yes" if risk else "no")}

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        risk = data["risk"] == "yes"
        if r.answers.get("risk") != risk:
            r.answers.pop("due_at", None)  # the policy's due moment may have changed with it
        r.answers["risk"] = risk
        return None

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {"changes": rf.risk_changes(r.route), "route": r.route}

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        return [("Risk of significant harm", "Yes" if r.answers.get("risk") else "No")]


class DuePage(Page):
    key = "due"
    template = "escalation/raise/due.html"

    def answered(self, r: Raising) -> bool:
        return "due_at" in r.answers

    def form(self, r: Raising, data: Mapping[str, Any] | None = None) -> forms.Form:
        now = timezone.now()
        return rf.DueForm(
            data, initial=self.initial(r), now=now, policy_due=_policy_due(r, now).moment
        )

    def initial(self, r: Raising) -> dict[str, Any]:
        due = _due_at(r)
        if due is None:
            return {"due_day": "", "due_month": "", "due_year": "", "due_time": ""}
        local = timezone.localtime(due)
        return {
            "due_day": str(local.day),
            "due_month": str(local.month),
            "due_year": str(local.year),
            "due_time": f"{local:%H:%M}",
        }

    def save(self, r: Raising, data: dict[str, Any]) -> str | None:
        due = data.get("due_at")
        r.answers["due_at"] = due.isoformat() if due else ""
        return None

    def context(self, r: Raising, form: Any) -> dict[str, Any]:
        return {"policy_due": _policy_due(r, timezone.now()), "first_step": r.route.ladder[0]}

    def rows(self, r: Raising) -> list[tuple[str, str]]:
        due = _due_at(r)
        if due is None:
            return [("First step due", "By the policy's timescale")]
        local = timezone.localtime(due)
        return [("First step due", f"Earlier: {local:%H:%M} {local:%a} {local.day} {local:%b %Y}")]


def _person(r: Raising) -> Any:
    pk = r.answers.get("responding_person")
    agency = r.responding_agency()
    if not pk or agency is None:
        return None
    return rf.people_of_agency(agency=agency).filter(pk=pk).first()


def _due_at(r: Raising) -> dt.datetime | None:
    text = r.answers.get("due_at")
    return dt.datetime.fromisoformat(text) if text else None


def _policy_due(r: Raising, now: dt.datetime) -> Due:
    """When the first step would fall due by the policy's rule, were the case raised now."""
    rule = r.route.ladder[0].rule(risk=bool(r.answers.get("risk")))
    calendar = partnership_calendar(partnership=r.agency.partnership)
    return compute_due(rule, step_start=now, raised_at=now, calendar=calendar)


def _answer_in_words(question: Question, value: Any) -> str:
    if value in (None, "", []):
        return "Not answered"
    names = {o.slug: o.name for o in question.options}
    if isinstance(value, list):
        return "; ".join(names.get(v, str(v)) for v in value)
    return names.get(value, str(value))


def _journey(r: Raising) -> list[Page]:
    pages: list[Page] = [
        ForPage(),
        RoutePage(),
        RespondingAgencyPage(),
        ProfessionalPage(),
        SubjectPage(),
        RecordsPage(),
        CategoryPage(),
        *(QuestionPage(q) for q in rf.ordered_questions(r.route)),
        DisagreementPage(),
        RiskPage(),
        DuePage(),
    ]
    return [p for p in pages if p.applies(r)]


def _next_url(r: Raising) -> str:
    """The first page not yet answered, else check your answers."""
    for page in _journey(r):
        if not page.answered(r):
            return page.url(r)
    return r.url("raise_check")


def _back_url(r: Raising, page: Page | None) -> str:
    if r.request.GET.get("from") == "check":
        return r.url("raise_check")
    journey = _journey(r)
    keys = [p.key for p in journey]
    if page is None:  # the check page
        return journey[-1].url(r)
    index = keys.index(page.key)
    return journey[index - 1].url(r) if index > 0 else reverse("escalation:home")


def _render(
    request: HttpRequest, r: Raising, page: Page, form: forms.Form, *, status: int = 200
) -> HttpResponse:
    context = {
        "raising": r,
        "spec": r.spec,
        "form": form,
        "page": page,
        "back_url": _back_url(r, page),
        "action": page.url(r),
        "subject": r.subject,
        **page.context(r, form),
    }
    if page.choice_field:
        context["choice"] = form[page.choice_field]
        context["items"] = form.items(page.choice_field)  # type: ignore[attr-defined]
    return render(request, page.template, context, status=status)


def _handle(request: HttpRequest, r: Raising, page: Page) -> HttpResponse:
    if request.method == "POST":
        form = page.form(r, request.POST)
        if form.is_valid():
            target = page.save(r, form.cleaned_data)
            r.saved()
            # Read the draft again: a change of agency can change the partnership's policy.
            return redirect(target or _next_url(_load(request, r.draft_id)))
    else:
        form = page.form(r)
    return _render(request, r, page, form)


# --- the views ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The start: which of your agencies you raise for, when you may raise for more than one."""
    agencies = rf.agencies_user_may_raise_for(user=request.user)
    if not agencies:
        raise PermissionDenied("Your roles do not let you raise a challenge")
    if len(agencies) == 1:
        draft_id = _new_draft(request, agencies[0], many=False)
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
        draft_id = _new_draft(request, chosen, many=True)
    try:
        raising = _load(request, draft_id)
    except InvalidTransition as error:
        return _no_policy(request, error)
    return redirect(_next_url(raising))


PAGES_BY_KEY = {
    p.key: p
    for p in (
        ForPage(),
        RoutePage(),
        RespondingAgencyPage(),
        ProfessionalPage(),
        SubjectPage(),
        RecordsPage(),
        CategoryPage(),
        DisagreementPage(),
        RiskPage(),
        DuePage(),
    )
}


@draft_view()
@require_http_methods(["GET", "POST"])
def answer_page(request: HttpRequest, r: Raising, key: str) -> HttpResponse:
    """Every question page but the route's own questions."""
    found = PAGES_BY_KEY.get(key)
    if found is None or not found.applies(r):
        raise Http404("No such page")
    if isinstance(found, ProfessionalPage) and r.responding_agency() is None:
        return redirect(RespondingAgencyPage().url(r))
    return _handle(request, r, found)


@draft_view()
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, r: Raising, slug: str) -> HttpResponse:
    found = next((q for q in r.route.questions if q.slug == slug), None)
    if found is None:
        raise Http404("The route does not ask this")
    return _handle(request, r, QuestionPage(found))


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
        {"raising": r, "spec": r.spec, "matter": matter, "back_url": RoutePage().url(r)},
    )


@draft_view()
@require_GET
def refused(request: HttpRequest, r: Raising, slug: str, option: str) -> HttpResponse:
    """An answer that means the route cannot be used (a dissent by someone not at the
    conference): say so, and raise nothing."""
    found = next((q for q in r.route.questions if q.slug == slug), None)
    reason = rf.refusal_reason(slug, option)
    if found is None or reason is None:
        raise Http404("No such refusal")
    chosen = next((o for o in found.options if o.slug == option), None)
    return render(
        request,
        "escalation/raise/refused.html",
        {
            "raising": r,
            "route": r.route,
            "question": found,
            "option": chosen,
            "reason": reason,
            "back_url": QuestionPage(found).url(r),
            "route_url": RoutePage().url(r) if RoutePage().applies(r) else "",
        },
    )


# Where case_raise's InvalidInput(field=...) is shown: (page key, form field).
FIELD_PAGES = {
    "route": ("route", "route"),
    "responding_agency": ("agency", "responding_agency"),
    "responding_professional": ("professional", "responding_professional"),
    "responding_person": ("professional", "responding_person"),
    "subject_kind": ("subject", "subject_kind"),
    "subject_initials": ("subject", "subject_initials"),
    "subject_age_band": ("subject", "subject_age_band"),
    "category": ("category", "category"),
    "disagreement": ("disagreement", "disagreement"),
    "impact": ("disagreement", "impact"),
    "due_at": ("due", "due_day"),
}


class CheckErrors(forms.Form):
    """Carries a refusal that belongs to no question page, for the error summary."""


def _check_context(r: Raising) -> dict[str, Any]:
    sections = [(page.url(r) + "?from=check", page.rows(r)) for page in _journey(r) if page.rows(r)]
    return {
        "raising": r,
        "spec": r.spec,
        "route": r.route,
        "sections": sections,
        "back_url": _back_url(r, None),
    }


def _error_on_page(request: HttpRequest, r: Raising, error: InvalidInput) -> HttpResponse | None:
    """The page at fault, bound to the kept answers, with the service's message on its field."""
    question = next((q for q in r.route.questions if q.slug == error.field), None)
    target: Page | None
    if question is not None:
        target, field = QuestionPage(question), "answer"
    else:
        key, field = FIELD_PAGES.get(error.field, ("", ""))
        target = PAGES_BY_KEY.get(key)
    if target is None or not target.applies(r):
        return None
    form = target.form(r, target.initial(r))
    if form.is_valid():  # else the page's own checks say it, in the page's words
        form.add_error(field if field in form.fields else None, error.message)
    return _render(request, r, target, form)


def _raise_kwargs(r: Raising) -> dict[str, Any]:
    a = r.answers
    responding = r.responding_agency()
    if responding is None:
        raise InvalidInput("Select the agency you disagree with", field="responding_agency")
    person = _person(r)
    if a.get("responding_person") and person is None:
        raise InvalidInput(
            "That person no longer works in the agency: choose again", field="responding_person"
        )
    route = r.route
    details = {
        q.slug: r.details[q.slug]
        for q in route.questions
        if r.details.get(q.slug) not in (None, "", [])
    }
    return {
        "by": r.request.user,
        "challenging_agency": r.agency,
        "responding_agency": responding,
        "responding_professional": a["responding_professional"],
        "responding_person": person,
        "subject_kind": a["subject_kind"],
        "subject_initials": a["subject_initials"],
        "subject_age_band": a["subject_age_band"],
        "challenging_record_number": a.get("challenging_record_number", ""),
        "responding_record_number": a.get("responding_record_number", ""),
        "category": a["category"],
        "route": route.slug,
        "route_details": details,
        "disagreement": a["disagreement"],
        "impact": a["impact"],
        "risk_of_significant_harm": bool(a["risk"]),
        "due_at": _due_at(r),
    }


@draft_view()
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, r: Raising) -> HttpResponse:
    """Check your answers, then raise the challenge (escalation.services.case_raise)."""
    missing = next((p for p in _journey(r) if not p.answered(r)), None)
    if missing is not None:
        return redirect(missing.url(r))
    for q in r.route.questions:
        option = rf.refusal(q, r.details.get(q.slug))
        if option is not None:
            return redirect(r.url("raise_refused", q.slug, option.slug))
    errors = CheckErrors(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            case = case_raise(**_raise_kwargs(r))
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except InvalidInput as error:
            shown = _error_on_page(request, r, error)
            if shown is not None:
                return shown
            errors.is_valid()
            errors.add_error(None, error.message)
        except CaseError as error:
            errors.is_valid()
            errors.add_error(None, error.message)
        else:
            r.draft["reference"] = case.reference
            r.draft["answers"] = {}  # the case keeps them now; the session need not
            r.saved()
            return redirect(r.url("raise_done"))
    return render(request, "escalation/raise/check.html", {**_check_context(r), "form": errors})


@draft_view(submitted=True)
@require_GET
def done(request: HttpRequest, r: Raising) -> HttpResponse:
    """Confirmation: the reference, the first due moment and its explanation, what is next."""
    try:
        case = case_get_for_user(user=request.user, reference=r.draft["reference"])
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    case_log_read(case=case, user=request.user, what="raise confirmation")
    steps = list(case_steps(case=case))
    route = case_route(case)
    return render(
        request,
        "escalation/raise/done.html",
        {
            "case": case,
            "first": case.current_step,
            "targets": [s for s in steps if s.is_target],
            "route": route,
            "ladder": [
                (step, [(SIDE_WORDS[side], title) for side, title in step.titles.items()])
                for step in route.ladder
            ],
        },
    )
