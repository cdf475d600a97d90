"""The demo county's pipeline: people at every stage through the services, some overdue."""

from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from development.models import Document, NoticeObjection, Person, Quota, Stage
from development.selectors import deadlines
from development.services import quotas


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

    # The year's plan (名额) allocated through set_quota: the county and committees under it, never below
    # what was admitted, the committees within the county's plan.
    year = timezone.localdate().year
    county = Quota.objects.get(org__parent__isnull=True, year=year)
    below = Quota.objects.filter(org__parent=county.org, year=year)
    assert below.exists()
    assert sum(q.planned for q in below) <= county.planned
    for q in [county, *below]:
        assert q.planned >= quotas.admitted(q.org, year)
    # The dossier: documents checked as held on paper, and scans uploaded that are really stored images.
    assert Document.objects.filter(on_paper=True).exists()
    scans = Document.objects.exclude(file="")
    assert scans.exists()
    for doc in scans:
        assert doc.content_type.startswith("image/") and doc.size > 0
        with doc.file.open("rb") as fh:
            assert len(fh.read()) == doc.size
