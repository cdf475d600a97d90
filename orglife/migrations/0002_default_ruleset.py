"""The first rule set: RULES.md §9 defaults, in force from January 2000 until a county overrides them."""

import datetime as dt

from django.db import migrations


def load(apps, schema_editor):
    from orglife.defaults import MEETING_RULES as DEFAULT_RULES

    db = schema_editor.connection.alias  # migrate --database / restore: never the default database's rows
    rulesets = apps.get_model("orglife", "RuleSet").objects.using(db)
    meeting_rules = apps.get_model("orglife", "MeetingRule").objects.using(db)
    if rulesets.exists():
        return
    ruleset = rulesets.create(
        effective_from=dt.date(2000, 1, 1),
        document="《中国共产党支部工作条例（试行）》（2018）及本地默认设置",
        note="系统默认规则：党员大会每季度、支委会每月、党小组会每月、党课每季度（本地设置）、主题党日每月、组织生活会和民主评议党员每年、谈心谈话每年。",
    )
    for meeting_type, period, min_count, applies_to, source in DEFAULT_RULES:
        meeting_rules.create(
            ruleset=ruleset,
            meeting_type=meeting_type,
            period=period,
            min_count=min_count,
            applies_to=applies_to,
            soft=True,
            source=source,
        )


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
