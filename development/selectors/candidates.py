"""The 发展对象 of a subtree as orgs.stages shows them to the apps beside this one (learning's audiences and
its L-05 check)."""

from __future__ import annotations

from development.models import Person, Stage
from orgs.paths import under_path_q
from orgs.stages import Candidate


def candidates_under(path: str) -> list[Candidate]:
    rows = (
        Person.objects.filter(under_path_q(path, "org__path"), stage=Stage.CANDIDATE)
        .select_related("org")
        .order_by("org__path", "name", "pk")
    )
    return [
        Candidate(
            person_id=p.pk,
            name=p.name,
            org_id=p.org_id,
            org_name=p.org.display_name,
            since=p.candidate_on,
            training_days=p.training_days,
            training_hours=p.training_hours,
        )
        for p in rows
    ]
