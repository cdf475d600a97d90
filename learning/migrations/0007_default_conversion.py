"""The first 学时 conversion table: RULES.md L-06, in force from January 2000 until a county publishes its own.

L-06 (status U): no central conversion table was found; the common local convention is full-time day = 8 学时,
half-day lecture = 4, branch study = 1 per hour. The values are written here (not imported) so the migration
keeps loading what it loaded when it was written.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

FIRST = {
    "effective_from": dt.date(2000, 1, 1),
    "hours_per_day": Decimal("8"),
    "hours_per_half_day": Decimal("4"),
    "study_hours_per_hour": Decimal("1"),
    "document": "RULES.md L-06 地方通行做法（全天培训8学时、半天讲座4学时、支部集中学习每小时1学时）",
    "note": "系统默认折算标准：中央未规定学时折算办法，采用地方通行做法；各地可发布本地版本。",
}


def load(apps, schema_editor):
    db = schema_editor.connection.alias  # migrate --database / restore: never the default database's rows
    conversions = apps.get_model("learning", "Conversion").objects.using(db)
    if conversions.exists():
        return
    conversions.create(**FIRST)


class Migration(migrations.Migration):
    dependencies = [("learning", "0006_conversion")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
