# RoleGrant moved to orgs (the tree-and-access floor owns who holds which role where). State only:
# the table keeps its name, accounts_rolegrant, and its rows.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_totp_and_duty_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoleGrant")],
            database_operations=[],
        ),
    ]
