"""What people do in Resolve, as a person does it in the browser: raise a challenge through the
question pages, record a step's outcome, escalate, skip, resolve. Each function clicks the real
buttons and fills the real fields by their labels; every page it reaches is scanned by axe-core
(the Visitor does that). Shared by the journeys and `make screenshots`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.browser import Visitor

# The raise pages, by the last part of their address (escalation/pages/raising/).
RAISE_PAGE = re.compile(r"^/raise/[0-9a-f]+/(?P<key>question/[\w-]+|[\w-]+)/$")
MAX_RAISE_PAGES = 20


@dataclass
class Challenge:
    """A practitioner's answers on the raise pages, as the labels they click read."""

    responding_agency: str
    professional: str
    initials: str
    age: str  # an age band's label, e.g. "5 to 10"
    category: str  # a category's name in the policy
    disagreement: str
    impact: str
    at_risk: bool = False
    subject_kind: str | None = None  # "Child", "Young person ...", "Adult" (asked when >1)
    route: str | None = None  # a route's name; None: the first (usual) one
    responding_person: str | None = None  # their Resolve account, as the list shows it
    record_numbers: Mapping[str, str] = field(default_factory=dict)  # agency name -> number
    # A special route's questions (the start of each question) -> the answer: the text to
    # type, or the option's label (a pattern matches a long one by its start).
    answers: Mapping[str, str | re.Pattern[str]] = field(default_factory=dict)
    # Screenshots want to see each page before it is answered.
    on_page: Callable[[str, Visitor], None] | None = None


def raise_challenge(v: Visitor, challenge: Challenge) -> str:
    """From the work queue, raise the challenge through every question page, check the
    answers, raise it; return the reference shown on the confirmation."""
    v.click_link("Raise a challenge")
    reached = answer_raise_pages(v, challenge)
    assert reached == "check", f"expected a raise page, got {v.path()}: {v.heading()}"
    assert v.heading() == "Check your answers before raising the challenge"
    answers = v.page.locator("main .govuk-summary-list")
    for shown in (
        challenge.responding_agency,
        challenge.professional,
        challenge.initials.upper(),
        challenge.category,
        challenge.disagreement,
        challenge.impact,
        challenge.responding_person or "None chosen",
        *challenge.record_numbers.values(),
    ):
        assert shown in answers.inner_text(), f"{shown!r} not on the check answers page"
    v.click_button("Raise the challenge")
    if challenge.on_page:
        challenge.on_page("done", v)
    panel = v.page.locator("main .govuk-panel--confirmation")
    assert panel.get_by_role("heading", level=1).inner_text().strip() == "Challenge raised"
    reference = panel.locator("strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{4}", reference), reference
    return reference


def answer_raise_pages(v: Visitor, challenge: Challenge) -> str | None:
    """From the raise page now shown, answer each question page in turn. Stops at check your
    answers (returns "check") or at a page that is not a question page, such as a matter
    that is not for this procedure or a route that cannot be used (returns None)."""
    for _ in range(MAX_RAISE_PAGES):
        match = RAISE_PAGE.match(v.path())
        if not match:
            return None
        key = match["key"]
        if challenge.on_page:
            challenge.on_page(key, v)
        if key == "check":
            return key
        _answer(v, key, challenge)
    raise AssertionError(f"no check-your-answers page after {MAX_RAISE_PAGES} pages")


def _answer(v: Visitor, key: str, c: Challenge) -> None:
    if key == "route":
        v.choose_in("Which kind of disagreement is it?", c.route or _first_option(v))
    elif key == "agency":
        v.choose_in("Which agency do you disagree with?", c.responding_agency)
    elif key == "professional":
        v.fill("Their name and role", c.professional)
        if c.responding_person:
            v.select("If they use Resolve, choose them (optional)", c.responding_person)
    elif key == "subject":
        if c.subject_kind:
            v.choose_in("Who is it about?", c.subject_kind)
        v.fill("Their initials", c.initials)
        v.choose_in("Their age", c.age)
    elif key == "records":
        for agency, number in c.record_numbers.items():
            v.fill(f"{agency} record number (optional)", number)
    elif key == "category":
        v.choose_in("Which of these is the disagreement about?", c.category)
    elif key.startswith("question/"):
        question = v.heading()
        answer = next((a for q, a in c.answers.items() if question.startswith(q)), None)
        assert answer is not None, f"no answer given for the route's question {question!r}"
        radios = v.page.locator("main input[type=radio], main input[type=checkbox]")
        if radios.count():
            v.choose(answer)
        else:
            assert isinstance(answer, str), "a typed answer is text"
            v.fill(re.compile("^" + re.escape(question)), answer)
    elif key == "disagreement":
        v.fill("What do you disagree with, in your words?", c.disagreement)
        v.fill(re.compile(r"^What is the impact on "), c.impact)
    elif key == "risk":
        v.choose_in(re.compile(r"at risk of significant harm\?$"), "Yes" if c.at_risk else "No")
    elif key == "due":
        pass  # keep the policy's timescale
    else:
        raise AssertionError(f"a raise page the journeys do not know: {key}")
    v.click_button("Continue")


def _first_option(v: Visitor) -> str:
    return str(v.page.locator("main .govuk-radios__label").first.inner_text()).strip()


# --- the case page and its actions -------------------------------------------------------------


def open_case(v: Visitor, reference: str) -> None:
    """From the work queue, follow the case's link."""
    if v.path() != "/":
        v.click_link("Your work")
    v.click(v.page.locator("main").get_by_role("link", name=reference, exact=True).first)
    assert reference in v.heading()


@contextmanager
def signed_in(v: Visitor, who: Any) -> Iterator[Visitor]:
    """Sign in as `who` (landing on their work queue); sign out at the end of the block."""
    v.sign_in(who)
    yield v
    v.sign_out()


@contextmanager
def signed_in_on_case(v: Visitor, who: Any, reference: str) -> Iterator[Visitor]:
    """Sign in as `who` and open the case from their work queue; sign out at the end of the
    block (what each person does at their desk, between the two)."""
    with signed_in(v, who):
        open_case(v, reference)
        yield v


def record_outcome(
    v: Visitor,
    *,
    record: Mapping[str | re.Pattern[str], str],
    meeting_held: bool,
    outcome: str,
    resolution_reached: bool | None = None,
) -> None:
    """On the case page: Record the outcome of this step, fill the record, say whether a
    meeting was held and what the outcome was (outcome: "resolved" or "escalate")."""
    v.click_button("Record the outcome of this step")
    assert v.heading().startswith("Record the outcome of ")
    for label, text in record.items():
        v.fill(label, text)
    asked = v.page.get_by_role("group", name="Was a resolution reached?", exact=True)
    if resolution_reached is not None and asked.count():  # some forms derive it from the outcome
        v.choose_in("Was a resolution reached?", "Yes" if resolution_reached else "No")
    v.choose_in("Was a meeting held?", "Yes" if meeting_held else "No")
    pick = re.compile(r"^Resolved" if outcome == "resolved" else r"^Not resolved: escalate")
    v.choose_in("What was the outcome?", pick)
    v.click_button("Save the record and continue")
    assert "is saved" in v.banner(), v.banner()


def escalate(v: Visitor, *, reason: str) -> str:
    """On the escalate page (after recording the outcome): give the reason and confirm.
    Returns the banner shown on the case page."""
    assert v.heading().startswith("Escalate to "), v.heading()
    v.fill("Why is the disagreement not resolved at this step?", reason)
    v.click_button("Confirm and escalate")
    return v.banner()


def skip_step(v: Visitor, *, reason: str) -> str:
    """On the case page: skip the current step (risk of significant harm), with the reason."""
    v.click_button("Skip this step (risk of harm)")
    assert v.heading().startswith("Skip "), v.heading()
    v.fill("Why must this step be skipped?", reason)
    v.click_button("Confirm and skip this step")
    return v.banner()


def resolve(
    v: Visitor,
    *,
    learning: str,
    themes: tuple[str, ...] = (),
    debrief: bool,
    review: bool,
    send: bool = False,
) -> str:
    """On the resolve page (after recording the outcome): the learning, and confirm (or,
    `send`, for someone not of the raiser's side: send it for the raiser's agreement)."""
    assert v.heading() == "Resolve the case", v.heading()
    v.fill("What should be learned from this disagreement?", learning)
    for theme in themes:
        v.choose(theme)
    v.choose_in(
        "Do you recommend that the people and agencies involved debrief together?",
        "Yes" if debrief else "No",
    )
    v.choose_in(
        re.compile(r"^Do you recommend a multi-agency case review\?"), "Yes" if review else "No"
    )
    v.click_button("Send for the raiser's agreement" if send else "Confirm and resolve")
    return v.banner()


def summary_value(v: Visitor, key: str) -> str:
    """The value of a summary list row on the page, by its key."""
    row = v.page.locator("main .govuk-summary-list__row").filter(
        has=v.page.locator(".govuk-summary-list__key", has_text=key)
    )
    return str(row.first.locator(".govuk-summary-list__value").inner_text()).strip()


def meet_target(v: Visitor) -> str:
    """On the case page: mark the open target beside step 1 (step 0) as met."""
    v.click_link(re.compile(r"^Mark “.+” as met$"))
    v.click_button("Confirm: the target is met")
    return v.banner()


def download(v: Visitor, control: Any, folder: Path) -> Path:
    """Press a button or follow a link that answers with a file (no new page: nothing to
    scan); save the file in `folder` under the name the server gave it, and return its path."""
    with v.page.expect_download() as downloading:
        control.click()
    got = downloading.value
    assert got.failure() is None, got.failure()
    # The browser turns the navigation into a download and reports that navigation as
    # aborted: that is how every download goes, not a failed request.
    aborted = re.compile(rf"^failed: (GET|POST) {re.escape(got.url)} net::ERR_ABORTED$")
    v.problems[:] = [p for p in v.problems if not aborted.match(p)]
    path = folder / got.suggested_filename
    got.save_as(str(path))
    return path
