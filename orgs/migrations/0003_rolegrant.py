# RoleGrant moved here from accounts: state only, the table accounts_rolegrant and its rows stay as they are.
# The content type follows the model, so admin history and permissions keep pointing at it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label="orgs", model="rolegrant").exists():
        content_types.filter(app_label="accounts", model="rolegrant").update(app_label="orgs")


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_member_left_on_purge'),
        ("accounts", "0003_delete_rolegrant"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RoleGrant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('dept_admin', '组织部管理员'), ('committee_admin', '党(工)委管理员'), ('branch_secretary', '支部书记'), ('branch_admin', '支部管理员'), ('branch_contact', '组织委员/联系人'), ('scorekeeper', '计分员'), ('observer', '观察员'), ('patrol', '巡查员'), ('info_officer', '信息员'), ('editor', '编辑'), ('viewer', '只读查看员'), ('auditor', '审计员'), ('member', '党员'), ('system_admin', '系统管理员'), ('security_admin', '安全管理员'), ('audit_admin', '审计管理员')], max_length=24, verbose_name='角色')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('org', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='orgs.organization', verbose_name='组织')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
                    ],
                    options={
                        'verbose_name': '角色授权',
                        'verbose_name_plural': '角色授权',
                        'db_table': 'accounts_rolegrant',
                        'ordering': ['user_id', 'role'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'org', 'role'), name='rolegrant_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
