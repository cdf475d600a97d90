"""The demo county's pipeline: people at every stage through the services, some overdue."""

from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from development.models import NoticeObjection, Person, Stage
from development.selectors import deadlines


def test_the_demo_has_people_at_every_stage_and_some_overdue(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_demo", "--scale", "tiny", "--seed", "7", verbosity=0)
    stages = Counter(Person.objects.values_list("stage", flat=True))
    for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.CANCELLED):
        assert stages[stage] >= 1, stages
    assert Person.objects.filter(member__isnull=False).count() == stages[Stage.PROBATIONARY]
    overdue = deadlines.due_rows(
        Person.objects.all(), today=timezone.localdate(), within_days=0, only_overdue=True
    )
    assert len(overdue) >= 2
    cleared = NoticeObjection.objects.get()  # one 公示 drew an objection, looked into and cleared
    assert cleared.outcome == NoticeObjection.Outcome.CLEARED and cleared.person.stage != Stage.ACTIVIST
