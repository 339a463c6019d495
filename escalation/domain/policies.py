"""Policies as versioned data: the presets loaded from files, a partnership's own copy, publishing.

The life of a PolicyVersion, in words:

- A preset's versions come from its file (escalation/presets/<slug>.yaml) and are PUBLISHED as
  they are loaded. The file's `version` says which version it is: a higher number adds a new
  published version; the same number must hold the same document, because a published
  version never changes.
- A partnership administrator copies a preset (or the partnership's own policy) into a
  DRAFT of the partnership's own policy, changes the draft, and PUBLISHES it.
- PUBLISHED is final: the document is frozen, and every case keeps the version it started on.
  A change is a new version.

Every function here that changes something checks the actor first and raises PolicyError
(or a subclass) with a message a person can act on; nothing half-done is saved.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.enums import Role
from agencies.models import Membership, Partnership
from escalation.domain.policy_files import (
    PolicyFileError,
    load_policy_file,
    preset_files,
    validate_policy_document,
)
from escalation.enums import PolicyVersionStatus
from escalation.models import Policy, PolicyVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from escalation.rules import Person

logger = logging.getLogger(__name__)


class PolicyError(ValueError):
    """A refused change to a policy; str(error) is the message shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyNotAllowed(PolicyError):
    """The person may not change this policy."""


class PolicyFrozen(PolicyError):
    """A published version cannot change: a change is a new version."""


class PolicyInvalid(PolicyError):
    """The document does not pass the schema and the semantic checks."""

    def __init__(self, error: PolicyFileError) -> None:
        super().__init__(str(error))
        self.file_error = error


@dataclass(frozen=True)
class PresetLoaded:
    """What load_presets did with one preset file."""

    slug: str
    number: int
    action: str  # "created", "new version", "unchanged"
    source: str

    def __str__(self) -> str:
        return f"{self.slug} v{self.number}: {self.action} ({self.source})"


# --- reads ---------------------------------------------------------------------------------


def policy_current_version(policy: Policy) -> PolicyVersion:
    """The policy's newest published version; PolicyError when it has none yet."""
    version = (
        policy.versions.filter(status=PolicyVersionStatus.PUBLISHED).order_by("-number").first()
    )
    if version is None:
        raise PolicyError(f"{policy.name} ({policy.slug}) has no published version yet.")
    return version


def policy_may_manage(*, user: Person, partnership: Partnership | None) -> bool:
    """True when the person may copy, change and publish this partnership's policies: a
    platform administrator, or a partnership administrator of that partnership. Presets
    (partnership None) change only through their files, so only a platform administrator."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if partnership is None:
        return False
    return Membership.objects.filter(
        user=user, role=Role.PARTNERSHIP_ADMIN, agency__partnership=partnership
    ).exists()


def _version_label(version: PolicyVersion) -> str:
    return f"{version.policy.slug} v{version.number} ({version.get_status_display().lower()})"


def _policy_name(*, document: Mapping[str, Any], owner: Partnership | None) -> str:
    name = str(document["name"])
    return f"{name} ({owner.name})" if owner is not None else name


def _source_name(file: Path) -> str:
    """The file's path relative to the project where it can be, for PolicyVersion.source."""
    try:
        return str(file.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(file)


def _check_may_manage(*, by: User, partnership: Partnership | None, what: str) -> None:
    """Veto unless the person may manage the partnership's policies; `what` completes
    "may ..." in the refusal, e.g. "publish its policies"."""
    if policy_may_manage(user=by, partnership=partnership):
        return
    if partnership is None:
        raise PolicyNotAllowed(
            "A preset changes through its file: only a platform administrator may change or "
            "publish a preset's versions here."
        )
    raise PolicyNotAllowed(
        f"Only a partnership administrator of {partnership.name} (or a platform "
        f"administrator) may {what}."
    )


def _check_document(*, version: PolicyVersion, document: Any) -> dict[str, Any]:
    """The document as JSON, checked, and naming the policy and version it is stored as."""
    label = _version_label(version)
    try:
        document = json.loads(json.dumps(document))
    except (TypeError, ValueError) as error:
        raise PolicyError(f"{label}: the document is not JSON: {error}") from error
    try:
        checked = validate_policy_document(document, source=label)
    except PolicyFileError as error:
        raise PolicyInvalid(error) from error
    if checked["slug"] != version.policy.slug:
        raise PolicyError(
            f"{label}: slug: the document says {checked['slug']!r}, "
            f"but this is a version of {version.policy.slug!r}"
        )
    if checked["version"] != version.number:
        raise PolicyError(
            f"{label}: version: the document says {checked['version']}, "
            f"but this is version {version.number}"
        )
    return checked


# --- presets -------------------------------------------------------------------------------


def _load_preset(*, document: dict[str, Any], source: str) -> PresetLoaded:
    slug, number = document["slug"], document["version"]
    policy = Policy.objects.select_for_update().filter(slug=slug).first()
    if policy is None:
        policy = Policy.objects.create(slug=slug, name=_policy_name(document=document, owner=None))
        action = "created"
    elif policy.owner_id is not None:
        raise PolicyError(
            f"{source}: slug: {slug!r} is the slug of {policy.owner}'s own policy, not a preset."
        )
    else:
        newest = policy.versions.order_by("-number").first()
        if newest is not None and number < newest.number:
            raise PolicyError(
                f"{source}: version: the file holds version {number}, but version "
                f"{newest.number} of {slug} is already stored. A preset's version never goes down."
            )
        stored = policy.versions.filter(number=number).first()
        if stored is not None:
            if stored.document == document and stored.is_published:
                return PresetLoaded(slug=slug, number=number, action="unchanged", source=source)
            raise PolicyFrozen(
                f"{source}: version {number} of {slug} is already published and frozen, and "
                f"this file's document differs from it. Set `version: {number + 1}` in the "
                "file to publish the change as a new version."
            )
        policy.name = _policy_name(document=document, owner=None)
        policy.save(update_fields=["name"])
        action = "new version"
    PolicyVersion.objects.create(
        policy=policy,
        number=number,
        status=PolicyVersionStatus.PUBLISHED,
        document=document,
        source=source,
        published_at=timezone.now(),
    )
    logger.info("policy preset %s v%s %s from %s", slug, number, action, source)
    return PresetLoaded(slug=slug, number=number, action=action, source=source)


@transaction.atomic
def load_presets(*, directory: Path | str | None = None) -> list[PresetLoaded]:
    """Load every preset file (*.yaml in settings.POLICY_PRESETS_DIR, or `directory`) and
    publish what is new.

    Idempotent: loading the same files again creates nothing. A file whose `version` is above
    the newest stored one adds a new published version. Side effects, in order: every file
    is read and checked first (a broken file raises PolicyFileError and nothing is written);
    then, in one transaction, the preset Policy rows are created or renamed and the new
    published PolicyVersions written (a changed document under a published version number
    raises PolicyFrozen and the whole load is rolled back); log.
    """
    folder = Path(directory if directory is not None else settings.POLICY_PRESETS_DIR)
    files = preset_files(folder)
    if not files:
        raise PolicyError(f"{folder}: no policy files (*.yaml) to load.")
    checked: list[tuple[dict[str, Any], str]] = []
    for file in files:
        document = load_policy_file(file)
        if document["slug"] != file.stem:
            raise PolicyFileError(
                source=str(file),
                path="slug",
                problem=(
                    f"{document['slug']!r} does not match the file name: a preset file is "
                    f"named after its slug ({document['slug']}.yaml)"
                ),
            )
        checked.append((document, _source_name(file)))
    return [_load_preset(document=document, source=source) for document, source in checked]


# --- a partnership's own policy ------------------------------------------------------------


def _copy_slug(*, partnership: Partnership, policy: Policy) -> str:
    code = re.sub(r"[^a-z0-9]+", "-", partnership.code.lower()).strip("-") or "p"
    return f"{code}-{policy.slug}"


@transaction.atomic
def policy_copy_to_draft(*, policy: Policy, partnership: Partnership, by: User) -> PolicyVersion:
    """Copy the current published version of a preset (or of the partnership's own policy)
    into a new draft version of the partnership's own policy, ready to change and publish.

    The partnership's own copy of a preset is one Policy, slug "<partnership code>-<preset
    slug>", created on the first copy; later copies add draft versions to it. Refused when
    the person may not manage the partnership's policies, when the policy belongs to another
    partnership, or when a draft is already waiting (change and publish it, or delete it).
    Side effects, in order: veto; the own Policy row (created or locked); the draft
    PolicyVersion; log.
    """
    _check_may_manage(by=by, partnership=partnership, what="copy a policy into its drafts")
    if policy.owner_id is not None and policy.owner_id != partnership.pk:
        raise PolicyNotAllowed(
            f"{policy.name} belongs to another partnership: copy a preset or your own policy."
        )
    original = policy_current_version(policy)
    if policy.owner_id == partnership.pk:
        target = Policy.objects.select_for_update().get(pk=policy.pk)
    else:
        slug = _copy_slug(partnership=partnership, policy=policy)
        target, _created = Policy.objects.select_for_update().get_or_create(
            slug=slug,
            defaults={
                "name": _policy_name(document=original.document, owner=partnership),
                "owner": partnership,
                "copied_from": policy,
            },
        )
        if target.owner_id != partnership.pk:
            raise PolicyError(f"The slug {slug!r} is already taken by another policy.")
    waiting = target.versions.filter(status=PolicyVersionStatus.DRAFT).order_by("number").first()
    if waiting is not None:
        raise PolicyError(
            f"{target.name} already has a draft (version {waiting.number}): change and "
            "publish it, or delete it, before copying again."
        )
    newest = target.versions.order_by("-number").first()
    number = newest.number + 1 if newest is not None else 1
    document = copy.deepcopy(original.document)
    document["slug"] = target.slug
    document["version"] = number
    draft = PolicyVersion.objects.create(
        policy=target,
        number=number,
        status=PolicyVersionStatus.DRAFT,
        document=document,
        source=f"copied from {policy.slug} v{original.number}",
    )
    logger.info(
        "policy %s v%s drafted from %s v%s by %s",
        target.slug,
        number,
        policy.slug,
        original.number,
        getattr(by, "pk", None),
    )
    return draft


@transaction.atomic
def policy_draft_update(
    *, version: PolicyVersion, document: Mapping[str, Any], by: User
) -> PolicyVersion:
    """Replace a draft's document with a changed one.

    Refused for a published version (frozen: copy it into a new draft instead), for a person
    who may not manage the policy's partnership, and for a document that fails the schema or
    the semantic checks, or that names another slug or version number. Side effects, in
    order: lock the version row; veto; write the document; log.
    """
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if version.is_published:
        raise PolicyFrozen(
            f"{_version_label(version)} is published and frozen: copy it into a new draft "
            "to change it."
        )
    _check_may_manage(by=by, partnership=version.policy.owner, what="change its drafts")
    version.document = _check_document(version=version, document=document)
    version.save(update_fields=["document"])
    logger.info(
        "policy %s v%s draft changed by %s",
        version.policy.slug,
        version.number,
        getattr(by, "pk", None),
    )
    return version


@transaction.atomic
def policy_publish(*, version: PolicyVersion, by: User) -> PolicyVersion:
    """Publish a draft: from now on it is frozen, and new cases of a partnership that adopted
    the policy follow it (cases already open keep the version they started on).

    The document is checked again first (schema, semantic checks, its slug and version
    number). Refused for a version already published, for a person who may not manage the
    policy's partnership, and for a draft numbered below a published version. Side effects,
    in order: lock the version row; veto; status, published_at; the policy's name; log.
    """
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if version.is_published:
        raise PolicyFrozen(f"{_version_label(version)} is already published and frozen.")
    policy = version.policy
    _check_may_manage(by=by, partnership=policy.owner, what="publish its policies")
    document = _check_document(version=version, document=version.document)
    newer = policy.versions.filter(
        status=PolicyVersionStatus.PUBLISHED, number__gt=version.number
    ).first()
    if newer is not None:
        raise PolicyError(
            f"{_version_label(version)} is older than the published version {newer.number}: "
            "copy the current version into a new draft instead."
        )
    version.status = PolicyVersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    policy.name = _policy_name(document=document, owner=policy.owner)
    policy.save(update_fields=["name"])
    logger.info(
        "policy %s v%s published by %s", policy.slug, version.number, getattr(by, "pk", None)
    )
    return version


__all__ = [
    "PolicyError",
    "PolicyFrozen",
    "PolicyInvalid",
    "PolicyNotAllowed",
    "PresetLoaded",
    "load_presets",
    "policy_copy_to_draft",
    "policy_current_version",
    "policy_draft_update",
    "policy_may_manage",
    "policy_publish",
]
