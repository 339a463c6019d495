import pytest

from tests.escalation.world import World, build_world


@pytest.fixture
def oscb(presets) -> World:
    return build_world(policy=presets["oscb-children"], code="OXF")


@pytest.fixture
def ssab(presets) -> World:
    return build_world(policy=presets["ssab-adults"], nation="northern-ireland", code="SSA")


@pytest.fixture
def lscb(presets) -> World:
    return build_world(policy=presets["4lscb-children"], nation="wales", code="FOU")


@pytest.fixture
def sab(presets) -> World:
    return build_world(policy=presets["sab-adults"], nation="wales", code="SAB")
