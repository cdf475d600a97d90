"""The reused-photo check moves from the request to a task: each photo records when it was checked and a
record says while its photos are still waiting. Photos stored so far were checked in the request (those
with hashes); any without hashes wait for the backfill (orglife_recheck_photos), and their records say so."""

from django.db import migrations, models


def mark_checked(apps, schema_editor):
    RecordAttachment = apps.get_model("orglife", "RecordAttachment")
    MeetingRecord = apps.get_model("orglife", "MeetingRecord")
    alias = schema_editor.connection.alias  # the database being migrated, not always "default"
    photos = RecordAttachment.objects.using(alias).filter(kind="photo")
    photos.filter(hashes__isnull=False).update(checked_at=models.F("created_at"))
    waiting = photos.filter(checked_at__isnull=True).values("record_id")
    MeetingRecord.objects.using(alias).filter(pk__in=waiting).update(photos_pending=True)


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0005_record_client_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingrecord",
            name="photos_pending",
            field=models.BooleanField(default=False, verbose_name="照片查重中"),
        ),
        migrations.AddField(
            model_name="recordattachment",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="查重时间"),
        ),
        migrations.RunPython(mark_checked, migrations.RunPython.noop),
    ]
