"""Reused-photo look-up at province scale: p95 of one photo's candidate retrieval among N stored hashes.

    .venv/bin/python bench/bench_photo_lookup.py [--rows 10000000] [--queries 300] [--reuse DB] [--keep]

A throwaway PostgreSQL database (bench/common.py) gets N PhotoHash rows, generated inside the server with
generate_series (random 64-bit hashes, seven per photo as the detector stores them; the four band indexes
are built after the load, then VACUUM ANALYZE so the look-ups are index-only scans). The foreign key to
RecordAttachment is dropped in this throwaway database only: the look-up never reads that table. The hashes
of the committed photographs (bench/photos/) are stored among them, and each query is an upload made from
one of them (the seven transformations) or a photo never stored.

Measured: `orglife.services.photo_checks.candidate_rows` + `photomatch.rank_candidates`, exactly what an
upload runs before verification, p50/p95 over the queries; the baseline in the same run is the plain way
without the band indexes: one sequential scan computing the Hamming distance of every stored hash in SQL.
Verification of the candidates (ORB + RANSAC, a few ms to tens of ms each) is timed by
bench/photo_reuse_eval.py.
"""

from __future__ import annotations

import argparse
import random
import time

from common import open_database  # sets up Django's environment first

SQL_LOAD = """
INSERT INTO orglife_photohash (attachment_id, kind, value, b0, b1, b2, b3)
SELECT i / 7 + %(offset)s, i %% 7, v, v & 65535, (v >> 16) & 65535, (v >> 32) & 65535, (v >> 48) & 65535
FROM (
    SELECT i, ((floor(random() * 4294967296)::bigint - 2147483648) << 32)
              | floor(random() * 4294967296)::bigint AS v
    FROM generate_series(%(start)s, %(stop)s) AS i
) AS g
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reuse", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with open_database("postgres", reuse=args.reuse, keep=args.keep) as where:
        from django.db import connection
        from PIL import Image

        from bench.photo_reuse_eval import PHOTOS, TRANSFORMS, transform
        from orglife import photomatch as pm
        from orglife.services.photo_checks import candidate_rows

        print(where)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM orglife_photohash")
            have = cur.fetchone()[0]
        load_s = index_s = 0.0
        if have < args.rows:
            with connection.cursor() as cur:
                started = time.perf_counter()
                cur.execute(
                    "SELECT conname FROM pg_constraint WHERE conrelid = 'orglife_photohash'::regclass "
                    "AND contype = 'f'"
                )
                for (name,) in cur.fetchall():
                    cur.execute(f'ALTER TABLE orglife_photohash DROP CONSTRAINT "{name}"')
                cur.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orglife_photohash' "
                    "AND indexname LIKE 'photohash_b%%'"
                )
                indexes = cur.fetchall()
                for name, _ in indexes:
                    cur.execute(f'DROP INDEX "{name}"')
                step = 2_000_000
                for start in range(have, args.rows, step):
                    stop = min(args.rows, start + step) - 1
                    cur.execute(SQL_LOAD, {"start": start, "stop": stop, "offset": 1_000_000})
                    print(f"  loaded {stop + 1:,} rows ({time.perf_counter() - started:.0f} s)", flush=True)
                load_s = time.perf_counter() - started
                started = time.perf_counter()
                for _, definition in indexes:
                    cur.execute(definition)
                cur.execute("VACUUM ANALYZE orglife_photohash")
                index_s = time.perf_counter() - started
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM orglife_photohash")
            total = cur.fetchone()[0]
        # The committed photographs among them (photo ids 1..n), and uploads made from them.
        rng = random.Random(7)
        originals = sorted(PHOTOS.glob("*.jpg"))
        with connection.cursor() as cur:
            cur.execute("DELETE FROM orglife_photohash WHERE attachment_id < 1000")
            for n, path in enumerate(originals, start=1):
                for kind, value in pm.hashes(pm.grey(Image.open(path))).items():
                    b = pm.bands(value)
                    cur.execute(
                        "INSERT INTO orglife_photohash (attachment_id, kind, value, b0, b1, b2, b3) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [n, kind, value, *b],
                    )
        queries = []
        for i in range(args.queries):
            if i % 4 == 3:  # a photo never stored
                img = Image.effect_noise((320, 240), 60).convert("RGB").resize((640, 480))
            else:
                img = transform(Image.open(originals[i % len(originals)]), TRANSFORMS[i % 7], rng)
            queries.append(pm.query_hashes(pm.grey(img)))
        for wanted in queries[:10]:  # warm the cache as a running server would be
            pm.rank_candidates(wanted, candidate_rows(wanted))
        times, found, rows_seen = [], 0, []
        for i, wanted in enumerate(queries):
            t0 = time.perf_counter()
            rows = candidate_rows(wanted)
            ranked = pm.rank_candidates(wanted, rows)
            times.append(time.perf_counter() - t0)
            rows_seen.append(len(rows))
            if i % 4 != 3:
                found += (i % len(originals)) + 1 in ranked
        times.sort()
        baseline = []
        for wanted in queries[:1]:  # one is enough: it reads the whole table
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT attachment_id, min(bit_count((value # q)::bit(64))) AS d FROM orglife_photohash, "
                    "unnest(%s::bigint[]) AS q GROUP BY attachment_id "
                    "HAVING min(bit_count((value # q)::bit(64))) <= %s ORDER BY d LIMIT 6",
                    [sorted(wanted), pm.CANDIDATE_DISTANCE],
                )
                cur.fetchall()
            baseline.append(time.perf_counter() - t0)
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        base = sorted(baseline)[len(baseline) // 2]
        rows_seen.sort()
        print(
            f"stored hashes: {total:,} (load {load_s:.0f} s, indexes + vacuum {index_s:.0f} s)\n"
            f"look-up of one upload ({len(queries)} uploads, {len(next(iter(queries)))} hashes each): "
            f"p50 {1000 * p50:.1f} ms, p95 {1000 * p95:.1f} ms, max {1000 * times[-1]:.1f} ms; "
            f"rows read per look-up: median {rows_seen[len(rows_seen) // 2]:,}\n"
            f"originals found among the candidates: {found}/{len(queries) - len(queries) // 4}\n"
            f"baseline (sequential Hamming scan in SQL): {1000 * base:.0f} ms per upload; "
            f"ratio baseline/p95 = {base / p95:.0f}x"
        )


if __name__ == "__main__":
    main()
