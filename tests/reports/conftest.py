"""The reports' tests share a scenario with known answers: see scenario.py."""

import pytest

from tests.escalation.conftest import lscb, oscb  # noqa: F401  (fixtures)
from tests.reports.scenario import Scenario, build_scenario


@pytest.fixture
def scenario(oscb) -> Scenario:  # noqa: F811
    return build_scenario(oscb)
