"""Trigram (pg_trgm) GIN indexes for the archive search on PostgreSQL; nothing on SQLite.

The archive matches words as substrings: a word without letter case (Chinese) with ``contains``, a
plain ``col LIKE '%word%'`` on PostgreSQL; a word with Latin letters with ``icontains``, which Django
writes as ``UPPER(col::text) LIKE UPPER('%word%')`` (bulletins.selectors.substring_lookup). A GIN index
with ``gin_trgm_ops`` on the column, and one on ``UPPER(col)``, answer these LIKEs for any word of three
characters or more (the database's ctype is C.UTF-8 or a UTF-8 locale, where CJK characters are word
characters to pg_trgm), so 「观察员」 is found inside 「组织生活观察员制度」 without a Chinese tokenizer. PostgreSQL full-text search was not used:
its parsers split Chinese into no words without an extension (zhparser) that is not in the stock
server. Shorter words fall back to a scan, as on SQLite. Figures: bench/RESULTS.md (issue 18).
"""

from django.db import migrations

COLUMNS = ("title", "body", "byline")

UP = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
DOWN = []
for col in COLUMNS:
    UP += [
        f"CREATE INDEX IF NOT EXISTS bulletins_article_{col}_trgm "
        f"ON bulletins_article USING gin ({col} gin_trgm_ops)",
        f"CREATE INDEX IF NOT EXISTS bulletins_article_{col}_upper_trgm "
        f"ON bulletins_article USING gin (UPPER({col}) gin_trgm_ops)",
    ]
    DOWN += [
        f"DROP INDEX IF EXISTS bulletins_article_{col}_trgm",
        f"DROP INDEX IF EXISTS bulletins_article_{col}_upper_trgm",
    ]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0002_article_images")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
