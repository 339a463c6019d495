"""The policy files: each shipped preset says what its original says, and a broken file is
refused with a message naming the file, the path inside it and what is wrong. No database here."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator

from agencies.calendars import WorkingCalendar
from agencies.enums import Role
from escalation.deadlines import compute_due
from escalation.domain.checks import kinds_for
from escalation.domain.policy_files import (
    AGENCY_STEP_ROLES,
    PARTNERSHIP_STEP_ROLES,
    SCHEMA_PATH,
    PolicyFileError,
    load_policy_file,
    path_text,
    policy_schema,
    preset_files,
    validate_policy_document,
)
from escalation.enums import Side
from escalation.policy import PolicySpec, RouteSpec, policy_from_document

FIXTURES = Path(__file__).parent / "policy_files"
PRESETS = Path(settings.POLICY_PRESETS_DIR)
PRESET_SLUGS = tuple(file.stem for file in preset_files())
# The procedures in ../shared/policies/, each shipped as a preset; more presets may sit beside them.
ORIGINALS = ("oscb-children", "sab-adults", "ssab-adults", "4lscb-children")
FIVE_CATEGORIES = [
    "criteria-for-referrals",
    "outcomes-of-assessments",
    "roles-and-responsibilities",
    "service-provision",
    "information-sharing-and-communication",
]


def preset_document(slug: str) -> dict[str, Any]:
    return load_policy_file(PRESETS / f"{slug}.yaml")


def preset(slug: str) -> PolicySpec:
    return policy_from_document(preset_document(slug))


def rules(route: RouteSpec, *, risk: bool = False) -> list[tuple[int, str, int, str]]:
    """(number, kind, amount, counted from) of every step of a route."""
    return [
        (s.number, s.rule(risk=risk).kind, s.rule(risk=risk).amount, s.rule(risk=risk).counted_from)
        for s in route.steps
    ]


# --- the schema ----------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_the_schema_names_the_same_sides_and_roles_as_the_code():
    defs = policy_schema()["$defs"]

    assert set(defs["actors"]["properties"]) == {s.value for s in Side}
    assert set(defs["agency_role"]["enum"]) == AGENCY_STEP_ROLES
    assert set(defs["partnership_role"]["enum"]) == PARTNERSHIP_STEP_ROLES
    assert {
        Role.PRACTITIONER,
        Role.LINE_MANAGER,
        Role.SENIOR_MANAGER,
        Role.SAFEGUARDING_LEAD,
    } == AGENCY_STEP_ROLES


def test_every_object_in_the_schema_forbids_unknown_keys():
    schema = policy_schema()
    objects = [schema, *(d for d in schema["$defs"].values() if d.get("type") == "object")]
    with_properties = [o for o in objects if "properties" in o]

    # top level, choice, exclusion, question, deadline, actors, titles, step, route,
    # record_field, record_section
    assert len(with_properties) == 11
    assert [o.get("additionalProperties") for o in with_properties] == [False] * 11
    # record_sections is a map of free keys, each a closed record section
    assert schema["properties"]["record_sections"]["additionalProperties"] == {
        "$ref": "#/$defs/record_section"
    }


# --- the shipped presets ------------------------------------------------------------------


@pytest.mark.parametrize("slug", PRESET_SLUGS)
def test_each_preset_file_loads_and_is_named_after_its_slug(slug):
    spec = preset(slug)

    assert spec.slug == slug
    assert spec.version >= 1  # raised at every change of the file (load_presets)
    assert spec.record_name == preset_document(slug)["record_name"]  # its own name
    assert spec.standard_route.slug == "standard"
    assert [c.slug for c in spec.categories] == FIVE_CATEGORIES


def test_the_preset_folder_holds_a_preset_for_each_original():
    assert set(ORIGINALS) <= set(PRESET_SLUGS)


def test_4lscb_standard_route_is_step_0_then_stages_1_to_4():
    spec = preset("4lscb-children")
    route = spec.standard_route

    assert spec.audience == "children"
    assert rules(route) == [
        (0, "same_working_day", 0, "step_start"),
        (1, "working_days", 1, "step_start"),
        (2, "working_days", 2, "step_start"),
        (3, "working_days", 2, "step_start"),
        (4, "working_days", 5, "step_start"),
    ]
    assert route.target is not None
    assert route.target.number == 0
    assert route.target.name == "Concern in writing to the other professional"
    assert [s.number for s in route.ladder] == [1, 2, 3, 4]
    assert route.step(4).actors == {
        "partnership": "strategic_manager",
        "challenging": "senior_manager",
    }
    assert "Independent Chair" in route.step(4).titles["partnership"]
    assert [s.meeting_required for s in route.ladder] == [False, False, True, True]
    assert [s.record_section for s in route.steps] == [f"stage-{n}" for n in range(5)]


def test_4lscb_has_its_four_special_routes():
    spec = preset("4lscb-children")

    assert [r.slug for r in spec.routes] == [
        "standard",
        "mash-contact-referral",
        "conference-need",
        "conference-dissent",
        "plan-implementation",
    ]
    # No timescales in the original for these routes: each step takes the standard
    # stage's at the same level (see the file's comment and docs/policies.md).
    assert [(s.number, s.deadline.amount) for s in spec.route("plan-implementation").ladder] == [
        (1, 2),
        (2, 2),
        (3, 5),
    ]
    assert all(r.target is not None and r.target.number == 0 for r in spec.routes)


def test_4lscb_mash_route_asks_the_five_typical_reasons_and_consent_with_its_exceptions():
    route = preset("4lscb-children").route("mash-contact-referral")
    reason, consent = route.questions

    assert reason.kind == "choice"
    assert [o.slug for o in reason.options] == [
        "eligibility-for-assessment",
        "further-information-needed",
        "child-protection-procedures",
        "single-or-joint-response",
        "need-for-conference",
    ]
    assert consent.kind == "choice"
    assert [o.slug for o in consent.options] == [
        "consent-given",
        "risk-of-significant-harm",
        "crime",
        "refused-thresholds-met",
        "fabricated-or-induced-illness",
    ]
    assert "tier 3 or 4" in consent.options[3].name


def test_4lscb_mash_route_climbs_the_police_and_social_care_ladder():
    route = preset("4lscb-children").route("mash-contact-referral")
    titles = [route.step(n).titles["challenging"] for n in (2, 3, 4)]

    assert "Team Manager / Sergeant" in titles[0]
    assert "Service Manager / Inspector" in titles[1]
    assert "Deputy or Assistant Director / Chief Inspector" in titles[2]
    assert [route.step(n).actors["responding"] for n in (1, 2, 3, 4)] == [
        "practitioner",
        "line_manager",
        "senior_manager",
        "senior_manager",
    ]


@pytest.mark.parametrize("slug", ["oscb-children", "4lscb-children"])
def test_conference_dissent_asks_who_dissented_why_and_whether_they_attended(slug):
    route = preset(slug).route("conference-dissent")

    assert [(q.slug, q.kind) for q in route.questions] == [
        ("dissenting-professional", "text"),
        ("reason", "text"),
        ("attended", "choice"),
    ]
    assert [o.slug for o in route.questions[2].options] == ["yes", "no"]
    assert "Conference" in route.step(1).titles["responding"]


def test_oscb_standard_route_is_the_initial_attempt_then_steps_1_to_5():
    spec = preset("oscb-children")
    route = spec.standard_route

    assert rules(route) == [(n, "working_days", 5, "step_start") for n in range(6)]
    assert rules(route, risk=True) == rules(route)
    assert route.target is not None
    assert route.target.number == 0
    assert "24 hours" in route.target.description
    assert [s.number for s in route.ladder] == [1, 2, 3, 4, 5]
    assert route.step(1).may_skip_when_risk is True
    assert route.step(5).actors == {"partnership": "strategic_manager"}
    assert "Deputy Director for Safeguarding" in route.step(5).titles["partnership"]
    assert "Head of Service / Service Director" in route.step(4).titles["responding"]
    assert [r.slug for r in spec.routes] == ["standard", "conference-dissent"]
    assert [s.number for s in spec.route("conference-dissent").steps] == [1, 2, 3, 4, 5]


def test_oscb_sends_gaps_in_provision_and_emergencies_elsewhere():
    spec = preset("oscb-children")

    assert [c.slug for c in spec.not_for_this_procedure] == ["gaps-in-provision", "emergencies"]
    assert "(section 7)" in spec.not_for_this_procedure[0].name
    assert "daily basis" in spec.not_for_this_procedure[1].guidance
    assert len(spec.guidance["restorative_framework"]["parts"]) == 5
    assert "Tell me what got in the way of..." in {
        a["try"] for a in spec.guidance["question_phrasing"]["why_questions"]["alternatives"]
    }


def test_sab_steps_take_5_working_days_without_risk_and_the_same_working_day_with_it():
    spec = preset("sab-adults")
    route = spec.standard_route

    assert spec.audience == "adults"
    assert route.target is None
    # the flowchart is silent without risk: the preset's decision (docs/policies.md)
    assert rules(route) == [(n, "working_days", 5, "step_start") for n in (1, 2, 3, 4)]
    assert rules(route, risk=True) == [
        (n, "same_working_day", 0, "step_start") for n in (1, 2, 3, 4)
    ]
    assert route.step(3).meeting_required is True
    assert route.step(4).actors == {"partnership": "strategic_manager"}
    assert "SAB Manager" in route.step(4).titles["partnership"]


def test_ssab_stages_and_the_board_consultation():
    spec = preset("ssab-adults")
    route = spec.standard_route

    assert [r.slug for r in spec.routes] == ["standard"]
    assert route.target is None
    assert rules(route) == [
        (1, "working_days", 2, "step_start"),
        (2, "working_days", 5, "raised"),
        (3, "working_days", 10, "step_start"),
        (4, "working_days", 10, "step_start"),
    ]
    assert [s.may_skip_when_risk for s in route.steps] == [True, True, False, False]
    assert [s.meeting_required for s in route.steps] == [False, False, True, True]
    assert [s.record_section for s in route.steps] == [f"section-{n}" for n in (1, 2, 3, 4)]
    assert route.step(3).actors["partnership"] == "strategic_manager"
    assert route.step(4).name == "Consultation with SSAB Members"


def test_ssab_pro_forma_sections_reproduce_the_original_field_by_field():
    sections = preset("ssab-adults").record_sections

    assert sections["section-1"]["title"] == (
        "Section 1 \u2013 Stage One of Resolving Professional Differences"
    )
    assert [f["label"] for f in sections["section-1"]["fields"]] == [
        "Name & Position of Line Manager implementing Stage One",
        "Name & Position of Line Manager being contacted",
        "Telephone Number",
        "Email",
        "Please use this box to summarise the professional discussion held, the views of both "
        "parties and the outcome",
        "Was a resolution reached?",
        "Signature",
        "Date",
    ]
    assert [f["kind"] for f in sections["section-2"]["fields"]] == [
        "text",
        "text",
        "phone",
        "email",
        "long_text",
        "yes_no",
        "signature",
        "date",
    ]
    assert [f["label"] for f in sections["section-3"]["fields"]][:3] == [
        "Name of Senior Manager who conducted review at Stage Two",
        "Name of Senior Manager implementing Stage Three",
        "Name of Strategic Safeguarding Manager",
    ]
    assert [f["slug"] for f in sections["section-4"]["fields"]] == [
        "strategic-safeguarding-manager",
        "members-consulted",
        "summary",
        "signature",
        "date",
    ]


@pytest.mark.parametrize("slug", PRESET_SLUGS)
def test_every_step_of_every_preset_names_an_existing_record_section(slug):
    spec = preset(slug)
    named = {s.record_section for r in spec.routes for s in r.steps}

    assert "" not in named
    assert named <= set(spec.record_sections)


def test_a_shared_step_0_is_a_separate_copy_in_each_route():
    document = preset_document("4lscb-children")
    targets = [route["steps"][0] for route in document["routes"]]

    assert targets[0] == targets[1]
    assert targets[0] is not targets[1]  # a YAML alias, but each route owns its copy


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("slug", "nation", "raised", "risk", "due_days"),
    [
        (
            "4lscb-children",
            "scotland",
            (2026, 11, 26, 17),
            False,
            ["01 Dec", "04 Dec", "09 Dec", "17 Dec"],
        ),
        (
            "oscb-children",
            "england",
            (2026, 12, 23, 15),
            False,
            ["04 Jan", "12 Jan", "20 Jan", "28 Jan", "05 Feb"],
        ),
        ("sab-adults", "wales", (2027, 5, 1, 10), True, ["04 May", "05 May", "06 May", "07 May"]),
        (
            "ssab-adults",
            "northern-ireland",
            (2027, 3, 12, 12),
            False,
            ["16 Mar", "22 Mar", "08 Apr", "23 Apr"],
        ),
    ],
)
def test_the_presets_produce_the_worked_examples_of_the_design(
    slug, nation, raised, risk, due_days
):
    """DESIGN.md "Deadlines": each step starts at the moment the previous one is due."""
    calendar = WorkingCalendar(nation=nation)
    raised_at = dt.datetime(*raised, tzinfo=LONDON)
    start, dues = raised_at, []
    for step in preset(slug).standard_route.ladder:
        due = compute_due(
            step.rule(risk=risk), step_start=start, raised_at=raised_at, calendar=calendar
        )
        assert due.moment is not None
        dues.append(due.moment.astimezone(LONDON))
        start = due.moment

    assert [f"{d:%d %b}" for d in dues] == due_days
    assert {f"{d:%H:%M}" for d in dues} == {"17:00"}


def test_sab_without_risk_is_due_in_5_working_days():
    step = preset("sab-adults").standard_route.step(1)
    raised_at = dt.datetime(2027, 5, 4, 10, tzinfo=LONDON)  # a Tuesday, day 0

    due = compute_due(
        step.rule(risk=False),
        step_start=raised_at,
        raised_at=raised_at,
        calendar=WorkingCalendar(nation="wales"),
    )

    assert due.moment == dt.datetime(2027, 5, 11, 17, tzinfo=LONDON)


# --- broken files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "path", "problem"),
    [
        ("yaml-syntax", "line 8, column 7", "YAML syntax error: while parsing a flow mapping"),
        ("duplicate-key", "line 14, column 122", "found the key 'deadline' twice"),
        ("missing-key", "routes[0].steps[1]", "missing required key 'deadline'"),
        (
            "unknown-key",
            "routes[0].steps[0].meeting",
            "unknown key 'meeting' (allowed here: number",
        ),
        (
            "bad-enum",
            "routes[1].steps[2].deadline.kind",
            "'weeks' is not one of ['working_days', 'same_working_day', 'clock_hours', 'none']",
        ),
        (
            "bad-deadline-amount",
            "routes[0].steps[1].deadline.amount",
            "working_days needs an amount of 1 or more, not 0",
        ),
        (
            "duplicate-step-numbers",
            "routes[0].steps[2].number",
            "step number 2 is used twice in this route (also at routes[0].steps[1])",
        ),
        (
            "two-targets",
            "routes[0].steps[1].target",
            "a route has at most one target step, and routes[0].steps[0] is already its target",
        ),
        (
            "bad-record-section",
            "routes[0].steps[0].record_section",
            "'section-9' is not a key of record_sections (known: section-1)",
        ),
        (
            "bad-role",
            "routes[0].steps[0].actors.responding",
            "'board_staff' is not one of ['practitioner', 'line_manager'",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_the_path_and_the_problem(file, path, problem):
    source = FIXTURES / f"{file}.yaml"

    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(source)

    error = caught.value
    assert isinstance(error, ValueError)
    assert error.source == str(source)
    assert error.path == path
    assert problem in error.problem
    assert str(error).startswith(f"{source}: {path}: ")


def test_the_small_valid_base_of_the_broken_files_loads():
    document = load_policy_file(FIXTURES / "good-minimal.yaml")

    route = policy_from_document(document).standard_route
    assert route.target is not None
    assert (route.target.number, [s.number for s in route.ladder]) == (0, [1, 2])


def test_two_targets_also_report_the_misnumbered_target_among_all_problems():
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(FIXTURES / "two-targets.yaml")

    assert caught.value.problems == (
        "routes[0].steps[1].target: a route has at most one target step, and "
        "routes[0].steps[0] is already its target",
        "routes[0].steps[1].number: a target step is step 0, not step 1",
    )
    assert str(caught.value).endswith("(and 1 more problem in this file)")


def test_a_missing_file_an_empty_file_and_a_list_are_refused(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    a_list = tmp_path / "list.yaml"
    a_list.write_text("- slug: x\n", encoding="utf-8")

    with pytest.raises(PolicyFileError, match=r"missing\.yaml: \(file\): cannot be read"):
        load_policy_file(tmp_path / "missing.yaml")
    with pytest.raises(PolicyFileError, match=r"empty\.yaml: \(top level\): expected a mapping"):
        load_policy_file(empty)
    with pytest.raises(PolicyFileError, match=r"found list"):
        load_policy_file(a_list)


def test_yes_no_and_dates_stay_the_text_they_look_like(tmp_path):
    text = (FIXTURES / "good-minimal.yaml").read_text(encoding="utf-8")
    text += "guidance:\n  reviewed: 2024-05-01\n  answer: no\n  flag: true\n"
    file = tmp_path / "good-minimal.yaml"
    file.write_text(text, encoding="utf-8")

    document = load_policy_file(file)

    assert document["guidance"] == {"reviewed": "2024-05-01", "answer": "no", "flag": True}


# --- checks on documents (as stored in the database) ----------------------------------------


def broken(mutate: Any) -> PolicyFileError:
    document = copy.deepcopy(preset_document("oscb-children"))
    mutate(document)
    with pytest.raises(PolicyFileError) as caught:
        validate_policy_document(document, source="oscb-children v2 (draft)")
    return caught.value


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["routes"][0]["steps"]


@pytest.mark.parametrize(
    ("mutate", "path", "problem"),
    [
        (
            lambda d: _steps(d)[3].update(target=True),
            "routes[0].steps[3].target",
            "at most one target step",
        ),
        (
            lambda d: _steps(d)[0].update(target=False),
            "routes[0].steps[0].number",
            "step 0 is a target: add `target: true`",
        ),
        (
            lambda d: d["routes"][0].update(steps=_steps(d)[:1]),
            "routes[0].steps",
            "a target is never the only step",
        ),
        (
            lambda d: _steps(d)[2].update(number=9),
            "routes[0].steps[3].number",
            "step numbers must increase: step 3 comes after step 9",
        ),
        (
            lambda d: _steps(d)[5].update(may_skip_when_risk=True),
            "routes[0].steps[5].may_skip_when_risk",
            "the last step cannot be skipped",
        ),
        (
            lambda d: _steps(d)[0].update(may_skip_when_risk=True),
            "routes[0].steps[0].may_skip_when_risk",
            "a target never delays step 1, so it cannot be skipped",
        ),
        (
            lambda d: _steps(d)[1]["titles"].update(partnership="Board"),
            "routes[0].steps[1].titles.partnership",
            "no role acts for it in actors",
        ),
        (
            lambda d: _steps(d)[1].update(deadline={"kind": "same_working_day", "amount": 3}),
            "routes[0].steps[1].deadline.amount",
            "same_working_day takes no amount (found 3)",
        ),
        (
            lambda d: _steps(d)[1].update(deadline={"kind": "clock_hours"}),
            "routes[0].steps[1].deadline",
            "clock_hours needs an amount (clock hours, 1 or more)",
        ),
        (
            lambda d: _steps(d)[1].update(
                deadline_when_risk={"kind": "working_days", "amount": -1}
            ),
            "routes[0].steps[1].deadline_when_risk.amount",
            "-1 is less than the minimum of 0",
        ),
        (
            lambda d: d["routes"][1].update(slug="standard"),
            "routes[1].slug",
            "route slug 'standard' is already used at routes[0]",
        ),
        (
            lambda d: d["categories"].append(dict(d["categories"][0])),
            "categories[5].slug",
            "category slug 'criteria-for-referrals' is already used",
        ),
        (
            lambda d: d["routes"][1]["questions"][0].update(options=[{"slug": "a", "name": "A"}]),
            "routes[1].questions[0].options",
            "a text question takes no options",
        ),
        (
            lambda d: d["routes"][1]["questions"][2].pop("options"),
            "routes[1].questions[2]",
            "missing required key 'options'",
        ),
        (
            lambda d: _steps(d)[1].update(actors={}),
            "routes[0].steps[1].actors",
            "name at least one side that acts at this step",
        ),
        (
            lambda d: _steps(d)[1]["actors"].update(board="board_staff"),
            "routes[0].steps[1].actors.board",
            "unknown key 'board' (allowed here: challenging, responding, partnership)",
        ),
        (lambda d: d.update(slug="Oscb Children"), "slug", "'Oscb Children' is not a slug"),
        (lambda d: d.update(audience="everyone"), "audience", "'everyone' is not one of"),
        (lambda d: d.pop("source"), "(top level)", "missing required key 'source'"),
        (
            lambda d: d["record_sections"]["step-1"].update(fields="many"),
            "record_sections.step-1.fields",
            "'many' is not of type 'array'",
        ),
    ],
)
def test_a_broken_document_is_refused_naming_the_path_and_the_problem(mutate, path, problem):
    error = broken(mutate)

    assert error.source == "oscb-children v2 (draft)"
    assert error.path == path
    assert problem in error.problem


def test_a_valid_document_is_returned_unchanged():
    document = preset_document("sab-adults")

    assert validate_policy_document(document, source="sab-adults v1") is document


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ([], "(top level)"),
        (["routes", 1, "steps", 2, "deadline", "kind"], "routes[1].steps[2].deadline.kind"),
        (["record_sections", "section-1", "fields", 0], "record_sections.section-1.fields[0]"),
        (["guidance", "a key"], "guidance['a key']"),
    ],
)
def test_paths_read_as_written(parts, text):
    assert path_text(parts) == text


# --- issue 11, item 6: the presets in their policies' words --------------------------------


def test_oscb_step_3_is_titled_for_the_safeguarding_lead_who_acts():
    """Flowchart, Step Three: "the agency safeguarding lead of challenging agency to liaise
    with relevant Service Manager": the lead acts, so the title names the lead alone."""
    spec = preset("oscb-children")
    for route in spec.routes:
        step = next((s for s in route.steps if s.number == 3), None)
        if step is None or step.actors.get("challenging") != Role.SAFEGUARDING_LEAD:
            continue
        title = step.titles["challenging"]
        assert title.startswith("Agency safeguarding lead of the challenging agency"), route.slug
        assert "line manager" not in title.lower(), route.slug
        assert "line manager or" not in step.description.lower(), route.slug
    assert spec.standard_route.step(3).actors == {
        "challenging": "safeguarding_lead",
        "responding": "senior_manager",
    }


@pytest.mark.parametrize(
    ("slug", "kinds"),
    [
        ("oscb-children", ["child", "young_person"]),  # "care-experienced ... up to 25"
        ("4lscb-children", ["child"]),
        ("sab-adults", ["adult"]),
        ("ssab-adults", ["adult"]),
    ],
)
def test_only_oxfordshire_extends_to_care_experienced_young_people(slug, kinds):
    assert [str(k) for k in kinds_for(preset(slug))] == kinds


def test_only_oxfordshire_carries_the_restorative_framework_guidance():
    for slug in (f.stem for f in preset_files()):
        guidance = preset(slug).guidance
        assert ("restorative_framework" in guidance) is (slug == "oscb-children"), slug


def test_4lscb_stage_2_records_the_manager_disagreeing_with_their_employee():
    """Stage Two: "the manager may disagree with their employee's assessment and this will be
    confirmed with the other party"."""
    fields = {f["slug"]: f for f in preset("4lscb-children").record_sections["stage-2"]["fields"]}
    assert fields["manager-disagrees-with-employee"]["kind"] == "yes_no"
    assert "employee's assessment" in fields["manager-disagrees-with-employee"]["label"]
    assert fields["manager-assessment-confirmed"]["kind"] == "long_text"
    assert "confirmed with the other party" in fields["manager-assessment-confirmed"]["label"]
    stage_1 = preset("4lscb-children").record_sections["stage-1"]["fields"]
    assert "manager-disagrees-with-employee" not in {f["slug"] for f in stage_1}
