import copy

import pytest

from tests.escalation.world import World, build_world, preset_world


@pytest.fixture
def oscb(presets) -> World:
    return preset_world(presets, "oscb-children")


@pytest.fixture
def ssab(presets) -> World:
    return preset_world(presets, "ssab-adults")


@pytest.fixture
def lscb(presets) -> World:
    return preset_world(presets, "4lscb-children")


@pytest.fixture
def sab(presets) -> World:
    return preset_world(presets, "sab-adults")


@pytest.fixture
def due_never(presets) -> World:
    """A world whose policy's standard steps have no deadline without a risk of significant
    harm (kind none), as SAB's preset had before version 3 and as a partnership may write in
    its own copy: the SAB preset's document with those deadlines set to none."""
    from django.utils import timezone

    from escalation.domain.policies import policy_current_version
    from escalation.domain.policy_files import validate_policy_document
    from escalation.enums import PolicyVersionStatus
    from escalation.models import Policy, PolicyVersion

    document = copy.deepcopy(policy_current_version(presets["sab-adults"]).document)
    document["slug"] = "sab-due-never"
    for step in document["routes"][0]["steps"]:
        step["deadline"] = {"kind": "none"}
    validate_policy_document(document, source="sab-due-never")
    policy = Policy.objects.create(slug="sab-due-never", name=document["name"])
    PolicyVersion.objects.create(
        policy=policy,
        number=document["version"],
        status=PolicyVersionStatus.PUBLISHED,
        document=document,
        source="tests/escalation/conftest.py",
        published_at=timezone.now(),
    )
    return build_world(policy=policy, code="NVR")
