"""留党察看 moves to the ground floor (orgs.Discipline) so organizational life, below development, reads it too.

The rows are copied with their ids, the id sequence is moved past them (PostgreSQL), then the old table goes.
Going back copies them the other way."""

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone


def _copy(apps, schema_editor, source_label: str, target_label: str) -> None:
    connection = schema_editor.connection  # the database being migrated (a restore migrates a new one)
    alias = connection.alias
    source = apps.get_model(*source_label.split("."))
    target = apps.get_model(*target_label.split("."))
    rows = [
        target(id=d.id, member_id=d.member_id, starts_on=d.starts_on, ends_on=d.ends_on, note=d.note)
        for d in source.objects.using(alias).order_by("id")
    ]
    target.objects.using(alias).bulk_create(rows, batch_size=1000)
    if rows:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [target]):
                cursor.execute(sql)


def _recount_assemblies(apps, alias: str) -> None:
    """党员大会 records stored before the move counted members under 留党察看 as voters (development subtracted
    them when it read the record). Store the counts without them, as organizational life now does, so the
    record's page and development's vote agree on the old records too."""
    discipline = apps.get_model("orgs", "Discipline")
    record_model = apps.get_model("orglife", "MeetingRecord")
    attendance = apps.get_model("orglife", "Attendance")
    for d in discipline.objects.using(alias).select_related("member").order_by("id"):
        member = d.member
        due = member.category == "full" and member.status in ("normal", "mobile") and not member.is_exempt
        records = record_model.objects.using(alias).filter(
            org_id=member.org_id, meeting_type="general_assembly", eligible_voters__isnull=False
        )
        for record in records:
            day = timezone.localtime(record.started_at).date()
            if not (d.starts_on <= day and (d.ends_on is None or d.ends_on > day)):
                continue
            if due and record.eligible_voters > 0:
                record.eligible_voters -= 1
            here = attendance.objects.using(alias).filter(record=record, member_id=member.pk, status="present").exists()
            if here and member.category == "full" and record.present_voters:
                record.present_voters -= 1
            eligible, present = record.eligible_voters, record.present_voters or 0
            record.quorum_met = eligible > 0 and present * 2 > eligible
            if record.votes_yes is not None:
                record.vote_passed = eligible > 0 and record.votes_yes * 2 > eligible
            record.save(using=alias, update_fields=["eligible_voters", "present_voters", "quorum_met", "vote_passed"])


def forwards(apps, schema_editor) -> None:
    _copy(apps, schema_editor, "development.Discipline", "orgs.Discipline")
    _recount_assemblies(apps, schema_editor.connection.alias)


def backwards(apps, schema_editor) -> None:
    _copy(apps, schema_editor, "orgs.Discipline", "development.Discipline")


class Migration(migrations.Migration):

    dependencies = [
        ("development", "0006_objection"),
        ("orgs", "0009_discipline"),
        ("orglife", "0007_photo_upload_chunks"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="Discipline"),
    ]
