"""The branch rates its observer (one rating per submitted observation, 1–5)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from observers.models import BranchRating, Observation
from orgs.access import grants
from orgs.roles import Role

RATING_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_ADMIN)


def can_rate(user: User, observation: Observation) -> bool:
    """The branch's own secretary or administrator rates the observer who attended: a grant on the branch
    itself, since a role above the branch does not make one its secretary."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    branch = observation.branch.path
    return any(role in RATING_ROLES and path == branch for role, path in grants(user))


def _check_rating(observation: Observation, score: int, *, rated: bool) -> None:
    """A rating needs a submitted form, not yet rated, and a score of 1–5."""
    errors: dict[str, str] = {}
    if observation.status != Observation.Status.SUBMITTED:
        errors["score"] = "观察员提交评价表后才能评价"
    elif rated:
        errors["score"] = "已评价过该观察员的本次列席"
    if not isinstance(score, int) or not 1 <= score <= 5:
        errors["score"] = "评价应为 1–5 分"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rate_observer(*, actor: User, observation: Observation, score: int, comment: str = "") -> BranchRating:
    if not can_rate(actor, observation):
        raise PermissionDenied("只有该支部书记或支部管理员可以评价观察员")
    rated = BranchRating.objects.filter(observation=observation).exists()
    _check_rating(observation, score, rated=rated)
    rating = BranchRating.objects.create(
        observation=observation, score=score, comment=comment.strip()[:300], rated_by=actor
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=rating,
        org=observation.branch,
        summary={"what": "observer_rated", "score": score, "observer": observation.observer_id},
    )
    return rating


@transaction.atomic
def add_ratings(*, actor: User | None, rows: Sequence[BranchRating]) -> list[BranchRating]:
    """Many branch ratings at once (the demo generator): rate_observer's rules for each row, one read of
    the ratings already given; `actor` None is the system, an actor must be allowed to rate every row.
    No audit row per rating: the caller records one for the batch."""
    if actor is not None and not all(can_rate(actor, row.observation) for row in rows):
        raise PermissionDenied("只有该支部书记或支部管理员可以评价观察员")
    ids = [row.observation_id for row in rows]
    rated = set(BranchRating.objects.filter(observation_id__in=ids).values_list("observation_id", flat=True))
    for row in rows:
        _check_rating(row.observation, row.score, rated=row.observation_id in rated)
        rated.add(row.observation_id)
        row.comment = row.comment.strip()[:300]
        row.rated_by = actor
    return BranchRating.objects.bulk_create(rows, batch_size=1000)
