"""Default rows: the joint review group's units and the items of the observation quality form (100 points)."""

from django.db import migrations

REVIEW_UNITS = ["纪检监察", "政法", "公检法", "信访"]

EVALUATION_ITEMS = [
    ("会前准备", "提前谋划议题，按时通知党员，会议材料准备充分", 15),
    ("程序规范", "按规定程序召开，到会人数符合要求，表决规范", 20),
    ("主题内容", "主题鲜明，紧扣中心工作和党员思想实际，内容充实", 20),
    ("党员参与", "党员积极发言，批评与自我批评开展认真", 15),
    ("记录规范", "会议记录完整真实，签到、照片等佐证齐全", 15),
    ("问题整改", "对以往发现的问题整改到位，有措施有成效", 15),
]


def add_defaults(apps, schema_editor):
    db = schema_editor.connection.alias  # migrate --database / restore: never the default database's rows
    units = apps.get_model("observers", "ReviewUnit").objects.using(db)
    items = apps.get_model("observers", "EvaluationItem").objects.using(db)
    for order, name in enumerate(REVIEW_UNITS, start=1):
        units.get_or_create(name=name, defaults={"order": order})
    if not items.exists():
        for order, (name, guidance, score) in enumerate(EVALUATION_ITEMS, start=1):
            items.create(name=name, guidance=guidance, max_score=score, order=order)


def remove_defaults(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("observers", "ReviewUnit").objects.using(db).filter(name__in=REVIEW_UNITS).delete()
    apps.get_model("observers", "EvaluationItem").objects.using(db).filter(
        name__in=[name for name, _, _ in EVALUATION_ITEMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("observers", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
