"""The case page and the actions on a case. Thin: each gets the case through the selector (a
case the person may not see is a 404), checks the permission (may see but not act: 403), checks
the form, calls the service with the version the form was opened on, and turns a domain error
into the form's error. Nothing here writes to the database itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from config.http import AuthenticatedHttpRequest
from escalation.domain import (
    case_agree_resolution,
    case_dispute_resolution,
    case_escalate,
    case_log_read,
    case_meet_target,
    case_reassign,
    case_resolve,
    case_skip_step,
    case_withdraw,
    checks,
    step_chase,
    step_record_outcome,
    step_set_due,
)
from escalation.enums import LearningTheme
from escalation.errors import InvalidInput, InvalidTransition, NotAllowed, StaleCase
from escalation.models import Case
from escalation.pages.case.forms import (
    OUTCOME_ESCALATE,
    OUTCOME_RESOLVE,
    AgreeForm,
    CaseActionForm,
    ChaseForm,
    DisputeForm,
    EscalateForm,
    MeetTargetForm,
    ReassignForm,
    RecordForm,
    ResolveForm,
    SetDueForm,
    SkipForm,
    WithdrawForm,
    record_initial,
)
from escalation.policy import record_fields, restorative_parts
from escalation.queries import case_page as sel
from escalation.queries.cases import case_get_for_user
from escalation.queries.policies import policy_spec
from escalation.queries.steps import pending_resolution
from escalation.templatetags.resolve import moment


def _case(request: AuthenticatedHttpRequest, reference: str) -> Case:
    """The case if this person may see it; a 404 that says nothing otherwise."""
    try:
        return case_get_for_user(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def _posted_version(request: AuthenticatedHttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _refusal(request: AuthenticatedHttpRequest, case: Case, allowed: bool) -> HttpResponse | None:
    """None when the person may act; else a 403, or, for a form opened before the case
    changed (so that it is no longer theirs to act on), the "case changed" page."""
    if allowed:
        return None
    if request.method == "POST" and _posted_version(request) not in (None, case.version):
        return render(request, "escalation/case/stale.html", {"case": case}, status=409)
    raise PermissionDenied


def _case_url(case: Case) -> str:
    return reverse("escalation:case", args=[case.reference])


def _action(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    form: CaseActionForm,
    template: str,
    perform: Callable[[dict[str, Any]], Case],
    done: Callable[[Case], tuple[str, str]],
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show an action's page; on POST call the service and redirect with a banner, or show
    the errors (a stale form: "this case changed since you opened it") and save nothing."""
    stale = False
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = perform(form.cleaned_data)
            except StaleCase:
                stale = True
            except NotAllowed:
                raise PermissionDenied from None
            except InvalidInput as error:
                form.add_error(form.field_for(error.field), error.message)
            except InvalidTransition as error:
                form.add_error(None, error.message)
            else:
                message, url = done(changed)
                messages.success(request, message)
                return redirect(url)
        else:
            # A missing or altered version is a form that cannot be trusted to be current.
            stale = form.errors.pop("version", None) is not None
            stale = stale or _posted_version(request) != case.version
    case_log_read(case=case, user=request.user, what=template.rsplit("/", 1)[-1][:-5] + " page")
    page = {
        "case": case,
        "form": form,
        "stale": stale,
        "has_errors": stale or bool(form.errors),
        "step": case.current_step,
        "step_spec": sel.step_spec_of(case, case.current_step),
        **(context or {}),
    }
    return render(request, template, page, status=409 if stale else 200)


def _data(request: AuthenticatedHttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- the case page ------------------------------------------------------------------------


def case_page_context(*, case: Case, user: Any | None = None) -> dict[str, Any]:
    """What templates/escalation/case/detail.html shows of the case (the person's actions
    come from the rules, in the template)."""
    timeline = sel.case_timeline(case=case)
    learning = sel.case_learning(case=case)
    themes = dict(LearningTheme.choices)
    return {
        "case": case,
        **sel.case_summary(case=case),
        "timeline": timeline,
        "records": [e for e in timeline if e.record or (e.step and e.step.recorded_at)],
        "history": sel.case_history(case=case),
        "learning": learning,
        "learning_themes": [themes.get(t, t) for t in learning.themes] if learning else [],
        "open_target": sel.case_open_target(case=case),
        "reassign_sides": sel.reassign_sides(case=case, user=user),
        "raised_by": sel.person_name(case.raised_by),
        "reads": sel.case_reads(case=case),
        "proposal": pending_resolution(case),
        "overdue": sel.step_is_overdue(case),
    }


@login_required
def case_page(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Everything about the case this person may see, and only the actions they may take."""
    case = _case(request, reference)
    case_log_read(case=case, user=request.user, what="case page")
    return render(
        request, "escalation/case/detail.html", case_page_context(case=case, user=request.user)
    )


# --- the actions ------------------------------------------------------------------------------


@login_required
def case_record(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Write the current step's record, then go on to resolve or escalate."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.record_outcome", case)):
        return refused
    step = case.current_step
    assert step is not None
    spec = policy_spec(case.policy_version)
    step_spec = sel.step_spec_of(case, step)
    fields = record_fields(spec, step_spec)
    following = sel.next_step_spec(case)
    outcomes = [(OUTCOME_RESOLVE, "Resolved: the disagreement is settled at this step")]
    if following is not None and request.user.has_perm("escalation.escalate_case", case):
        outcomes.append((OUTCOME_ESCALATE, f"Not resolved: escalate to {following.name}"))
    initial = record_initial(
        fields=fields, record=step.record or {}, meeting_held=step.meeting_held
    )
    form = RecordForm(
        _data(request),
        initial={"version": case.version, **initial},
        record_fields=fields,
        outcomes=outcomes,
        meeting_required=bool(step_spec and step_spec.meeting_required),
    )

    def perform(data: dict[str, Any]) -> Case:
        return step_record_outcome(
            case=case,
            by=request.user,
            record=form.record(),
            meeting_held=data["meeting_held"],
            expected_version=data["version"],
        )

    def done(changed: Case) -> tuple[str, str]:
        name = (
            "case_resolve" if form.cleaned_data["outcome"] == OUTCOME_RESOLVE else "case_escalate"
        )
        return (
            f"The record of {step.name} is saved. Now confirm the outcome.",
            reverse(f"escalation:{name}", args=[changed.reference]),
        )

    return _action(
        request,
        case,
        form=form,
        template="escalation/case/record.html",
        perform=perform,
        done=done,
        context={
            "section_title": sel.record_section_title(spec, step_spec),
            "guidance": spec.guidance,
            "framework_parts": restorative_parts(spec.audience),
            "following": following,
        },
    )


def _next_step_context(case: Case) -> dict[str, Any]:
    following = sel.next_step_spec(case)
    if following is None:
        return {"following": None}
    return {
        "following": following,
        "following_actors": sel.spec_actors(case, following),
        "following_deadline": sel.step_deadline_in_words(
            following, risk=case.risk_of_significant_harm
        ),
    }


@login_required
def case_escalate_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Confirm that the current step did not resolve the disagreement: on to the next step."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.escalate_case", case)):
        return refused
    form = EscalateForm(_data(request), initial={"version": case.version})
    following = sel.next_step_spec(case)
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/escalate.html",
        perform=lambda data: case_escalate(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=lambda changed: (
            f"Case {changed.reference} is escalated to {following.name if following else 'the next step'}.",
            _case_url(changed),
        ),
        context=_next_step_context(case),
    )


@login_required
def case_skip_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Skip the current step because a risk of significant harm calls for senior people now."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.skip_step", case)):
        return refused
    form = SkipForm(_data(request), initial={"version": case.version})
    step_name = case.current_step.name if case.current_step else ""
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/skip.html",
        perform=lambda data: case_skip_step(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=lambda changed: (
            f"{step_name} is skipped: case {changed.reference} is now at "
            f"{changed.current_step.name if changed.current_step else 'the next step'}.",
            _case_url(changed),
        ),
        context=_next_step_context(case),
    )


@login_required
def case_resolve_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Resolve the case at its current step, with what should be learned: at once for the
    raiser's side, otherwise sent to the raiser's side to agree."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.resolve_case", case)):
        return refused
    step = case.current_step
    assert step is not None
    form = ResolveForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/resolve.html",
        perform=lambda data: case_resolve(
            case=case,
            by=request.user,
            learning=data["learning"],
            themes=data["themes"],
            debrief_recommended=data["debrief_recommended"],
            case_review_recommended=data["case_review_recommended"],
            expected_version=data["version"],
        ),
        done=_resolved_or_sent,
        context={
            "guidance": policy_spec(case.policy_version).guidance,
            "resolve_problem": checks.resolve_problem(
                recorded=step.recorded_at is not None,
                waiting=pending_resolution(case) is not None,
            ),
            "needs_agreement": not request.user.has_perm("escalation.agree_for_raiser", case),
            "can_record": request.user.has_perm("escalation.record_outcome", case),
        },
    )


def _resolved_or_sent(case: Case) -> tuple[str, str]:
    if case.is_open:
        return (
            f"Case {case.reference}: the resolution is sent to the raiser's side to agree.",
            _case_url(case),
        )
    return f"Case {case.reference} is resolved.", _case_url(case)


def _answer_context(case: Case) -> dict[str, Any]:
    return {"proposal": pending_resolution(case), "nothing_to_answer": checks.NOTHING_TO_ANSWER}


@login_required
def case_agree_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The raiser's side agrees to the resolution the other side proposed."""
    case = _case(request, reference)
    allowed = request.user.has_perm("escalation.agree_for_raiser", case)
    if refused := _refusal(request, case, allowed):
        return refused
    form = AgreeForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/agree.html",
        perform=lambda data: case_agree_resolution(
            case=case, by=request.user, expected_version=data["version"]
        ),
        done=lambda changed: (f"Case {changed.reference} is resolved.", _case_url(changed)),
        context=_answer_context(case),
    )


@login_required
def case_dispute_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The raiser's side disputes the resolution the other side proposed: the case escalates."""
    case = _case(request, reference)
    allowed = request.user.has_perm("escalation.agree_for_raiser", case)
    if refused := _refusal(request, case, allowed):
        return refused
    form = DisputeForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/dispute.html",
        perform=lambda data: case_dispute_resolution(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=lambda changed: (
            f"Case {changed.reference}: the resolution is disputed and the case is now at "
            f"{changed.current_step.name if changed.current_step else 'its next step'}.",
            _case_url(changed),
        ),
        context=_answer_context(case),
    )


@login_required
def case_withdraw_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Withdraw the challenge (the raiser, or a manager of the challenging agency)."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.withdraw_case", case)):
        return refused
    form = WithdrawForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/withdraw.html",
        perform=lambda data: case_withdraw(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=lambda changed: (f"Case {changed.reference} is withdrawn.", _case_url(changed)),
    )


@login_required
def case_reassign_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Name the person who acts for one side at the current step."""
    case = _case(request, reference)
    sides = sel.reassign_sides(case=case, user=request.user)
    allowed = bool(sides) and request.user.has_perm("escalation.reassign_case", case)
    if refused := _refusal(request, case, allowed):
        return refused
    candidates = {side: sel.reassign_candidates(case=case, side=side) for side, _ in sides}
    form = ReassignForm(
        _data(request), initial={"version": case.version}, sides=sides, candidates=candidates
    )

    def perform(data: dict[str, Any]) -> Case:
        side = data["side"]
        person = sel.reassign_person(case=case, side=side, pk=data[f"to_{side}"])
        if person is None:
            raise InvalidInput("Select a person of that side's agency", field="to")
        return case_reassign(
            case=case,
            by=request.user,
            side=side,
            to=person,
            reason=data["reason"],
            expected_version=data["version"],
        )

    def done(changed: Case) -> tuple[str, str]:
        side = form.cleaned_data["side"]
        person = sel.reassign_person(case=case, side=side, pk=form.cleaned_data[f"to_{side}"])
        return (f"{sel.person_name(person)} now acts at this step.", _case_url(changed))

    return _action(
        request,
        case,
        form=form,
        template="escalation/case/reassign.html",
        perform=perform,
        done=done,
        context={
            "actors": sel.step_actors(
                case, case.current_step, sel.step_spec_of(case, case.current_step)
            )
        }
        if case.current_step
        else {},
    )


@login_required
def case_chase_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Chase the overdue current step (the parties' safeguarding leads, the board's staff):
    a message to the people who act at it and their line managers, the reason kept in the
    case's history."""
    case = _case(request, reference)
    step = case.current_step
    allowed = step is not None and request.user.has_perm("escalation.chase_step", case)
    if refused := _refusal(request, case, allowed):
        return refused
    assert step is not None
    form = ChaseForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/chase.html",
        perform=lambda data: step_chase(
            case=case, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=lambda changed: (
            f"{step.name} is chased: the people who act at it and their line managers are told.",
            _case_url(changed),
        ),
        context={
            "people": sel.step_named_people(case, step),
            "time_left": sel.step_time_left(case),
            "overdue": sel.step_is_overdue(case),
        },
    )


@login_required
def case_set_due_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Change the current step's due moment: earlier freely, later with a reason."""
    case = _case(request, reference)
    if refused := _refusal(request, case, request.user.has_perm("escalation.set_due", case)):
        return refused
    step = case.current_step
    assert step is not None
    form = SetDueForm(_data(request), initial={"version": case.version, "due_at": step.due_at})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/set_due.html",
        perform=lambda data: step_set_due(
            case=case,
            by=request.user,
            due_at=data["due_at"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=lambda changed: (
            f"{step.name} is now due {moment(form.cleaned_data['due_at'])}.",
            _case_url(changed),
        ),
    )


@login_required
def case_meet_target_view(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Mark the step 0 target (e.g. the practitioners' own attempt to resolve) as met."""
    case = _case(request, reference)
    target = sel.case_open_target(case=case)
    allowed = target is not None and request.user.has_perm("escalation.meet_target", case)
    if refused := _refusal(request, case, allowed):
        return refused
    form = MeetTargetForm(_data(request), initial={"version": case.version})
    return _action(
        request,
        case,
        form=form,
        template="escalation/case/meet_target.html",
        perform=lambda data: case_meet_target(
            case=case, by=request.user, expected_version=data["version"]
        ),
        done=lambda changed: (
            f"{target.name if target else 'The target'} is marked as met.",
            _case_url(changed),
        ),
        context={"target": target},
    )
