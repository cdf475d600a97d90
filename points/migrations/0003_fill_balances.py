"""Fill MemberYearBalance from the ledger written before the table existed (the same sums as
`manage.py points_rebuild_balances`, with the historical models)."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone


def fill(apps, schema_editor):
    LedgerEntry = apps.get_model("points", "LedgerEntry")
    Balance = apps.get_model("points", "MemberYearBalance")
    db = schema_editor.connection.alias  # migrate --database / restore: never the default database's rows
    sums = (
        LedgerEntry.objects.using(db).annotate(y=ExtractYear("occurred_on"))
        .values_list("member_id", "y", "member__org__path", "block_code")
        .annotate(points=Sum("points"))
        .order_by("member_id", "y", "block_code")
    )
    now = timezone.now()
    rows, blocks, current = [], {}, None

    def flush():
        member_id, year, path = current
        rows.append(Balance(member_id=member_id, year=year, org_path=path, updated_at=now,
                            blocks={k: str(v) for k, v in blocks.items()}, total=sum(blocks.values(), Decimal("0"))))

    for member_id, year, path, block_code, points in sums.iterator(chunk_size=5000):
        if current is not None and (member_id, year) != current[:2]:
            flush()
            blocks = {}
            if len(rows) >= 5000:
                Balance.objects.using(db).bulk_create(rows)
                rows = []
        current = (member_id, year, path)
        blocks[block_code] = blocks.get(block_code, Decimal("0")) + points
    if current is not None:
        flush()
    Balance.objects.using(db).bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("points", "0002_balances_weekly_stats_notice_drafts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
