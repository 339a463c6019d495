"""Policies in the database: loading the presets, a partnership's copy, publishing, the admin."""

from __future__ import annotations

import copy
import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from agencies.enums import AgencyKind, Role
from escalation.domain.policies import (
    PolicyError,
    PolicyFrozen,
    PolicyInvalid,
    PolicyNotAllowed,
    load_presets,
    policy_copy_to_draft,
    policy_current_version,
    policy_draft_update,
    policy_publish,
)
from escalation.domain.policy_files import PolicyFileError, load_policy_file, preset_files
from escalation.enums import PolicyVersionStatus
from escalation.models import Policy, PolicyVersion
from escalation.policy import policy_from_document
from tests.factories import AgencyFactory, MembershipFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PRESETS = Path(settings.POLICY_PRESETS_DIR)
FIXTURES = Path(__file__).parent / "policy_files"
PRESET_SLUGS = [file.stem for file in preset_files()]
# Each preset file's own version: a changed preset file raises it (load_presets), so tests
# read it rather than assume one.
VERSION = {slug: load_policy_file(PRESETS / f"{slug}.yaml")["version"] for slug in PRESET_SLUGS}


def person_in(partnership: Any, role: str, **user: Any) -> Any:
    agency = AgencyFactory(
        partnership=partnership,
        kind=AgencyKind.PARTNERSHIP if role == Role.PARTNERSHIP_ADMIN else AgencyKind.HEALTH,
    )
    return MembershipFactory(agency=agency, role=role, user=UserFactory(**user)).user


@pytest.fixture
def partnership():
    return PartnershipFactory(code="KNT", name="Kent Safeguarding Partnership")


@pytest.fixture
def administrator(partnership):
    return person_in(partnership, Role.PARTNERSHIP_ADMIN, is_staff=True)


@pytest.fixture
def presets_dir(tmp_path, settings):
    """A copy of the shipped presets that a test may change."""
    for slug in PRESET_SLUGS:
        shutil.copy(PRESETS / f"{slug}.yaml", tmp_path / f"{slug}.yaml")
    settings.POLICY_PRESETS_DIR = tmp_path
    return tmp_path


def rewrite(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_version(file: Path, number: int) -> None:
    """Write `version: number` in a preset file in place of the version it holds."""
    text = file.read_text(encoding="utf-8")
    held = f"\nversion: {load_policy_file(file)['version']}\n"
    assert held in text
    file.write_text(text.replace(held, f"\nversion: {number}\n", 1), encoding="utf-8")


# --- loading the presets -------------------------------------------------------------------


def test_the_presets_fixture_loads_every_preset_published(presets):
    assert sorted(presets) == PRESET_SLUGS
    for slug, policy in presets.items():
        version = policy_current_version(policy)
        assert policy.owner is None
        assert policy.is_preset is True
        assert version.number == VERSION[slug]
        assert version.status == PolicyVersionStatus.PUBLISHED
        assert version.published_at is not None
        assert version.source == f"escalation/presets/{slug}.yaml"
        assert version.document == load_policy_file(PRESETS / f"{slug}.yaml")
        assert policy.name == version.document["name"]


def test_loading_twice_creates_nothing_new():
    first = load_presets()
    second = load_presets()

    assert [(r.slug, r.number, r.action) for r in first] == [
        (s, VERSION[s], "created") for s in PRESET_SLUGS
    ]
    assert [(r.slug, r.number, r.action) for r in second] == [
        (s, VERSION[s], "unchanged") for s in PRESET_SLUGS
    ]
    assert Policy.objects.count() == len(PRESET_SLUGS)
    assert PolicyVersion.objects.count() == len(PRESET_SLUGS)


def test_the_command_prints_what_it_loaded():
    out = StringIO()

    call_command("load_policies", stdout=out)
    call_command("load_policies", stdout=out)

    lines = out.getvalue().splitlines()
    n = len(PRESET_SLUGS)  # one line per preset file, then the sum
    v = VERSION["4lscb-children"]
    assert lines[0] == f"4lscb-children v{v}: created (escalation/presets/4lscb-children.yaml)"
    assert lines[n] == f"{n} policies loaded, {n} new versions published."
    assert lines[n + 1] == (
        f"4lscb-children v{v}: unchanged (escalation/presets/4lscb-children.yaml)"
    )
    assert lines[2 * n + 1] == f"{n} policies loaded, 0 new versions published."


def test_a_higher_version_in_a_file_adds_a_published_version(presets_dir):
    load_presets()
    file = presets_dir / "sab-adults.yaml"
    v = VERSION["sab-adults"]
    set_version(file, v + 1)
    rewrite(file, "name: Resolving Practitioner", "name: Revised Resolving Practitioner")

    results = load_presets()

    policy = Policy.objects.get(slug="sab-adults")
    assert [(r.slug, r.action) for r in results if r.action != "unchanged"] == [
        ("sab-adults", "new version")
    ]
    assert list(policy.versions.values_list("number", "status")) == [
        (v + 1, "published"),
        (v, "published"),
    ]
    assert policy_current_version(policy).number == v + 1
    assert policy.name.startswith("Revised Resolving Practitioner")
    assert policy.versions.get(number=v).document["name"].startswith("Resolving Practitioner")


def test_a_changed_document_under_the_same_version_is_refused_and_nothing_changes(presets_dir):
    load_presets()
    file = presets_dir / "sab-adults.yaml"
    rewrite(
        file, "deadline_when_risk: {kind: same_working_day}", "deadline_when_risk: {kind: none}"
    )

    with pytest.raises(PolicyFrozen) as caught:
        load_presets()

    assert str(caught.value) == (
        f"{file}: version {VERSION['sab-adults']} of sab-adults is already published and "
        "frozen, and this file's document differs from it. Set "
        f"`version: {VERSION['sab-adults'] + 1}` in the file to publish the change as a new "
        "version."
    )
    version = Policy.objects.get(slug="sab-adults").versions.get()
    assert version.document["routes"][0]["steps"][0]["deadline_when_risk"] == {
        "kind": "same_working_day"
    }


def test_a_version_lower_than_the_stored_one_is_refused(presets_dir):
    file = presets_dir / "oscb-children.yaml"
    v = VERSION["oscb-children"]
    set_version(file, v + 1)
    load_presets()
    set_version(file, v)

    with pytest.raises(PolicyError, match=f"holds version {v}, but version {v + 1} of oscb"):
        load_presets()

    assert PolicyVersion.objects.filter(policy__slug="oscb-children").count() == 1


def test_a_broken_file_stops_the_command_and_nothing_is_loaded(presets_dir):
    shutil.copy(FIXTURES / "bad-enum.yaml", presets_dir / "bad-enum.yaml")

    with pytest.raises(CommandError) as caught:
        call_command("load_policies", verbosity=0)

    assert str(caught.value) == (
        f"{presets_dir / 'bad-enum.yaml'}: routes[1].steps[2].deadline.kind: 'weeks' is not one "
        "of ['working_days', 'same_working_day', 'clock_hours', 'none']"
    )
    assert Policy.objects.count() == 0
    assert PolicyVersion.objects.count() == 0


def test_a_frozen_version_conflict_rolls_back_every_file_of_the_load(presets_dir):
    load_presets()
    lscb = VERSION["4lscb-children"]
    set_version(presets_dir / "4lscb-children.yaml", lscb + 1)
    rewrite(presets_dir / "ssab-adults.yaml", "name: SSAB", "name: The SSAB")

    with pytest.raises(
        CommandError, match=f"version {VERSION['ssab-adults']} of ssab-adults is already published"
    ):
        call_command("load_policies", verbosity=0)

    # 4lscb-children v2 was written before ssab-adults failed, and was rolled back with it
    assert PolicyVersion.objects.count() == len(PRESET_SLUGS)
    assert not PolicyVersion.objects.filter(policy__slug="4lscb-children", number=lscb + 1).exists()


def test_a_preset_file_must_be_named_after_its_slug(presets_dir):
    shutil.move(presets_dir / "sab-adults.yaml", presets_dir / "sab.yaml")

    with pytest.raises(PolicyFileError) as caught:
        load_presets()

    assert caught.value.path == "slug"
    assert "'sab-adults' does not match the file name" in caught.value.problem
    assert Policy.objects.count() == 0


# --- a partnership's own copy --------------------------------------------------------------


def test_copy_change_and_publish(presets, partnership, administrator):
    preset = presets["4lscb-children"]

    draft = policy_copy_to_draft(policy=preset, partnership=partnership, by=administrator)

    own = draft.policy
    assert (own.slug, own.owner, own.copied_from) == ("knt-4lscb-children", partnership, preset)
    assert own.name == "4LSCB Resolving Professional Disagreements (Kent Safeguarding Partnership)"
    assert (draft.number, draft.status, draft.published_at) == (1, "draft", None)
    assert draft.source == f"copied from 4lscb-children v{VERSION['4lscb-children']}"
    original = policy_current_version(preset).document
    assert draft.document == {**original, "slug": "knt-4lscb-children", "version": 1}
    with pytest.raises(PolicyError, match="has no published version yet"):
        policy_current_version(own)

    changed = copy.deepcopy(draft.document)
    changed["routes"][0]["steps"][1]["deadline"] = {"kind": "working_days", "amount": 3}
    policy_draft_update(version=draft, document=changed, by=administrator)
    published = policy_publish(version=draft, by=administrator)

    published.refresh_from_db()
    assert published.status == PolicyVersionStatus.PUBLISHED
    assert published.published_at is not None
    assert policy_current_version(own) == published
    spec = policy_from_document(policy_current_version(own).document)
    assert spec.standard_route.step(1).deadline.amount == 3
    preset_spec = policy_from_document(policy_current_version(preset).document)
    assert preset_spec.standard_route.step(1).deadline.amount == 1


def test_a_published_version_refuses_change(presets, partnership, administrator):
    draft = policy_copy_to_draft(
        policy=presets["sab-adults"], partnership=partnership, by=administrator
    )
    policy_publish(version=draft, by=administrator)
    changed = {**draft.document, "name": "Changed after publishing"}

    with pytest.raises(PolicyFrozen, match=r"knt-sab-adults v1 \(published\) is published and"):
        policy_draft_update(version=draft, document=changed, by=administrator)
    with pytest.raises(PolicyFrozen, match="is already published and frozen"):
        policy_publish(version=draft, by=administrator)
    with pytest.raises(PolicyFrozen):
        policy_draft_update(
            version=policy_current_version(presets["sab-adults"]),
            document=changed,
            by=UserFactory(is_superuser=True),
        )

    draft.refresh_from_db()
    assert (
        draft.document["name"] == "Resolving Practitioner Disagreements and Escalation of Concerns"
    )


def test_a_second_copy_is_the_next_draft_of_the_same_own_policy(
    presets, partnership, administrator
):
    first = policy_copy_to_draft(
        policy=presets["oscb-children"], partnership=partnership, by=administrator
    )

    with pytest.raises(PolicyError, match=r"already has a draft \(version 1\)"):
        policy_copy_to_draft(
            policy=presets["oscb-children"], partnership=partnership, by=administrator
        )

    policy_publish(version=first, by=administrator)
    again = policy_copy_to_draft(policy=first.policy, partnership=partnership, by=administrator)
    assert (again.policy, again.number, again.document["version"]) == (first.policy, 2, 2)
    assert again.source == "copied from knt-oscb-children v1"
    assert Policy.objects.filter(owner=partnership).count() == 1


def test_a_draft_that_breaks_the_schema_is_refused_with_its_path(
    presets, partnership, administrator
):
    draft = policy_copy_to_draft(
        policy=presets["oscb-children"], partnership=partnership, by=administrator
    )
    broken = copy.deepcopy(draft.document)
    broken["routes"][0]["steps"][2]["deadline"]["kind"] = "weeks"

    with pytest.raises(PolicyInvalid) as caught:
        policy_draft_update(version=draft, document=broken, by=administrator)

    assert caught.value.file_error.path == "routes[0].steps[2].deadline.kind"
    assert str(caught.value).startswith(
        "knt-oscb-children v1 (draft): routes[0].steps[2].deadline.kind: 'weeks' is not one of"
    )
    draft.refresh_from_db()
    assert draft.document["routes"][0]["steps"][2]["deadline"]["kind"] == "working_days"


def test_publishing_checks_the_document_again(presets, partnership, administrator):
    draft = policy_copy_to_draft(
        policy=presets["ssab-adults"], partnership=partnership, by=administrator
    )
    broken = copy.deepcopy(draft.document)
    broken["routes"][0]["steps"][1]["record_section"] = "section-9"
    PolicyVersion.objects.filter(pk=draft.pk).update(document=broken)  # as if edited elsewhere

    with pytest.raises(
        PolicyInvalid, match=r"routes\[0\]\.steps\[1\]\.record_section: 'section-9'"
    ):
        policy_publish(version=draft, by=administrator)

    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.DRAFT


def test_a_draft_keeps_its_slug_and_version_number(presets, partnership, administrator):
    draft = policy_copy_to_draft(
        policy=presets["sab-adults"], partnership=partnership, by=administrator
    )

    with pytest.raises(PolicyError, match="version: the document says 7, but this is version 1"):
        policy_draft_update(
            version=draft, document={**draft.document, "version": 7}, by=administrator
        )
    with pytest.raises(PolicyError, match="slug: the document says 'sab-adults'"):
        policy_draft_update(
            version=draft, document={**draft.document, "slug": "sab-adults"}, by=administrator
        )


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SAFEGUARDING_LEAD, Role.BOARD_STAFF])
def test_only_a_partnership_administrator_may_copy(presets, partnership, role):
    someone = person_in(partnership, role)

    with pytest.raises(PolicyNotAllowed, match="Only a partnership administrator of Kent"):
        policy_copy_to_draft(policy=presets["sab-adults"], partnership=partnership, by=someone)

    assert Policy.objects.filter(owner=partnership).count() == 0


def test_an_administrator_of_another_partnership_may_not_copy_publish_or_take_its_policy(
    presets, partnership, administrator
):
    other = PartnershipFactory(code="SUR", name="Surrey")
    outsider = person_in(other, Role.PARTNERSHIP_ADMIN)
    draft = policy_copy_to_draft(
        policy=presets["sab-adults"], partnership=partnership, by=administrator
    )

    with pytest.raises(PolicyNotAllowed):
        policy_copy_to_draft(policy=presets["sab-adults"], partnership=partnership, by=outsider)
    with pytest.raises(PolicyNotAllowed):
        policy_publish(version=draft, by=outsider)
    with pytest.raises(PolicyNotAllowed, match="belongs to another partnership"):
        policy_copy_to_draft(policy=draft.policy, partnership=other, by=outsider)

    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.DRAFT


def test_a_platform_administrator_may_copy_for_any_partnership(presets, partnership):
    root = UserFactory(is_superuser=True, is_staff=True)

    draft = policy_copy_to_draft(policy=presets["ssab-adults"], partnership=partnership, by=root)
    published = policy_publish(version=draft, by=root)

    assert published.status == PolicyVersionStatus.PUBLISHED
    assert published.policy.owner == partnership


# --- the admin calls the same services -----------------------------------------------------


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_admin_lists_policies_and_copies_a_preset_into_a_draft(presets, partnership, root_client):
    changelist = reverse("admin:escalation_policy_changelist")

    listing = root_client.get(changelist)
    response = root_client.post(
        changelist,
        {
            "action": "copy_to_draft",
            "_selected_action": [presets["4lscb-children"].pk],
            "partnership": partnership.pk,
        },
        follow=True,
    )

    assert listing.status_code == 200
    assert "4LSCB Resolving Professional Disagreements" in listing.content.decode()
    assert response.status_code == 200
    draft = PolicyVersion.objects.get(policy__owner=partnership)
    assert (draft.policy.slug, draft.status) == ("knt-4lscb-children", "draft")
    assert "copied into" in response.content.decode()


def test_admin_copy_without_a_partnership_says_so(presets, root_client):
    response = root_client.post(
        reverse("admin:escalation_policy_changelist"),
        {"action": "copy_to_draft", "_selected_action": [presets["sab-adults"].pk]},
        follow=True,
    )

    assert "Choose, beside the action, a partnership" in response.content.decode()
    assert Policy.objects.filter(owner__isnull=False).count() == 0


def test_admin_changes_and_publishes_a_draft(presets, partnership, administrator, root_client):
    draft = policy_copy_to_draft(
        policy=presets["sab-adults"], partnership=partnership, by=administrator
    )
    url = reverse("admin:escalation_policyversion_change", args=[draft.pk])
    changed = copy.deepcopy(draft.document)
    changed["routes"][0]["steps"][0]["deadline"] = {"kind": "working_days", "amount": 4}
    broken = copy.deepcopy(changed)
    broken["routes"][0]["steps"][0]["deadline"]["amount"] = 0

    refused = root_client.post(url, {"document": json.dumps(broken)})
    saved = root_client.post(url, {"document": json.dumps(changed)})
    published = root_client.post(
        reverse("admin:escalation_policyversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert refused.status_code == 200
    assert "routes[0].steps[0].deadline.amount: working_days needs an amount of 1 or more" in (
        refused.content.decode().replace("&#x27;", "'")
    )
    assert saved.status_code == 302
    assert "is published and frozen" in published.content.decode()
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.PUBLISHED
    assert draft.document["routes"][0]["steps"][0]["deadline"] == {
        "kind": "working_days",
        "amount": 4,
    }


def test_admin_shows_a_published_version_read_only(presets, root_client):
    version = policy_current_version(presets["oscb-children"])
    url = reverse("admin:escalation_policyversion_change", args=[version.pk])

    page = root_client.get(url)
    attempt = root_client.post(url, {"document": "{}"})

    assert page.status_code == 200
    assert '<textarea name="document"' not in page.content.decode()
    assert "oscb-children" in page.content.decode()
    assert attempt.status_code == 403
    version.refresh_from_db()
    assert version.document["slug"] == "oscb-children"
