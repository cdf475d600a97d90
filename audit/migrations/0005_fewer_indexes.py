"""The audit table without the varchar_pattern_ops twins of its org_path and action indexes (PostgreSQL).

db_index=True on a CharField gives PostgreSQL two indexes: a plain b-tree and a `_like` one for
LIKE 'prefix%'. Nothing queries these columns with LIKE (subtrees are ranges, actions are equal), yet
every audit row, inserted inside the business transaction, wrote both. The plain indexes stay, renamed
to the names Meta.indexes gives them (no rebuild on PostgreSQL); the `_like` ones are dropped.

Not AlterField: on SQLite that remakes the table, and the append-only triggers (0002) would go with it.
"""

from django.db import migrations, models

COLUMNS = {"org_path": "audit_org_path_idx", "action": "audit_action_idx"}


def _single_column_indexes(schema_editor, column):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_auditevent")
    return sorted(
        name
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
    )


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for column, new_name in COLUMNS.items():
        names = _single_column_indexes(schema_editor, column)
        plain = [n for n in names if not n.endswith("_like") and n != new_name]
        for name in names:
            if name.endswith("_like"):
                schema_editor.execute(f"DROP INDEX {quote(name)}")
        if new_name in names:
            continue
        if plain and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX {quote(plain[0])} RENAME TO {quote(new_name)}")
            plain = plain[1:]
        else:
            schema_editor.execute(f"CREATE INDEX {quote(new_name)} ON audit_auditevent ({quote(column)})")
        for name in plain:
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for column, new_name in COLUMNS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(new_name)}")
        old = schema_editor._create_index_name("audit_auditevent", [column], suffix="")
        schema_editor.execute(f"CREATE INDEX {quote(old)} ON audit_auditevent ({quote(column)})")
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX {quote(old + '_like')} ON audit_auditevent ({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_sealer")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="org_path",
                    field=models.CharField(blank=True, max_length=252, verbose_name="组织路径"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(
                        choices=[
                            ("login", "登录"),
                            ("login_failed", "登录失败"),
                            ("logout", "退出"),
                            ("password_change", "修改密码"),
                            ("create", "新增"),
                            ("update", "修改"),
                            ("delete", "删除"),
                            ("import", "导入"),
                            ("export", "导出"),
                            ("unmask", "查看完整个人信息"),
                            ("grant", "授权"),
                            ("purge", "清理过期审计记录"),
                        ],
                        max_length=24,
                        verbose_name="操作",
                    ),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["org_path"], name="audit_org_path_idx"),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["action"], name="audit_action_idx"),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
