"""The product's settings plus one bench-only URL, /bench-hello/ (bench/bench_floor.py): the product's
whole middleware in front of a view that does nothing."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
