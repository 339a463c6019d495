"""Reads of policies: a version's typed policy, a case's route, a partnership's adopted version."""

from __future__ import annotations

import datetime as dt

from agencies.models import Partnership
from escalation.enums import PolicyVersionStatus
from escalation.errors import InvalidTransition
from escalation.models import Case, PolicyVersion
from escalation.policy import PolicySpec, RouteSpec, policy_from_document

_spec_cache: dict[tuple[int, int, dt.datetime | None], PolicySpec] = {}


def policy_spec(version: PolicyVersion) -> PolicySpec:
    """The typed policy of a version. Published versions never change, so they are cached
    for the process, keyed by id, version number and publication moment together: a row
    deleted and its id reused (a test database, a restored backup) is never served stale."""
    if version.status != PolicyVersionStatus.PUBLISHED:
        return policy_from_document(version.document)
    key = (version.pk, version.number, version.published_at)
    spec = _spec_cache.get(key)
    if spec is None:
        spec = _spec_cache[key] = policy_from_document(version.document)
    return spec


def case_route(case: Case) -> RouteSpec:
    return policy_spec(case.policy_version).route(case.route)


def adopted_version(*, partnership: Partnership) -> PolicyVersion:
    """The newest published version of the partnership's adopted policy."""
    policy = partnership.adopted_policy
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED).order_by("-number").first()
        if policy
        else None
    )
    if version is None:
        raise InvalidTransition(
            f"{partnership.name} has not adopted a published policy yet: "
            "ask your partnership administrator."
        )
    return version
