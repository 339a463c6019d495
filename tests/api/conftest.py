from __future__ import annotations

import pytest

from tests.escalation.world import World, build_world


@pytest.fixture
def oscb(presets) -> World:
    """Oxfordshire's partnership running its children's procedure."""
    return build_world(policy=presets["oscb-children"], code="OXF")
