import pytest

from tests.escalation.world import World, preset_world


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
