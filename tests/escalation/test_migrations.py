"""Data migrations, run forwards on rows written the old way."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from escalation.models import CaseStep

pytestmark = pytest.mark.django_db

respell = importlib.import_module(
    "escalation.migrations.0004_record_keys_as_the_policy_spells_them"
).respell


def test_old_record_keys_take_the_policys_spelling_and_typed_signatures_go(oscb):
    case = oscb.raise_case()
    old = {
        "concerns": "Both views heard.",
        "ways_forward": "Meet again on Friday.",
        "agreed_actions": "Share the GP letter.",
        "signature": "Typed By Hand",
    }
    CaseStep.objects.filter(pk=case.current_step_id).update(record=old)
    untouched = CaseStep.objects.exclude(pk=case.current_step_id).values_list("record", flat=True)
    before = list(untouched)

    respell(apps, None)

    assert CaseStep.objects.get(pk=case.current_step_id).record == {
        "concerns": "Both views heard.",
        "ways-forward": "Meet again on Friday.",
        "agreed-actions": "Share the GP letter.",
    }
    assert list(untouched) == before
