"""Why the detector misses the copies it misses (bench/RESULTS.md, "Reused photos"): for each missed copy of
bench/photo_reuse_eval.py, the smallest Hamming distance between the copy's query hashes and the original's
stored hashes, whether any of them shares a 16-bit band (what the database look-up needs), and what
verification alone says. Three transformations per copy (seeds 0-2).

Command: `.venv/bin/python bench/photo_reuse_misses.py`
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import photo_reuse_eval as ev  # noqa: E402
from PIL import Image  # noqa: E402

from orglife import photomatch as pm  # noqa: E402

MISSED = [
    ("brick", "rot3"),
    ("brick", "crop"),
    ("chelsea", "rot3"),
    ("hubble", "crop"),
    ("hubble", "caption"),
]


def main() -> None:
    print("| copy | seed | min distance | shares a band | verification alone |")
    print("|---|---|---|---|---|")
    for name, how in MISSED:
        img = Image.open(ev.PHOTOS / f"{name}.jpg").convert("RGB")
        stored = list(pm.hashes(pm.grey(img)).values())
        for seed in range(3):
            copy = pm.grey(ev.transform(img, how, random.Random(seed)))
            wanted = pm.query_hashes(copy)
            near = min(pm.distance(w, s) for w in wanted for s in stored)
            shared = any(
                pm.bands(w)[i] == pm.bands(s)[i] for w in wanted for s in stored for i in range(pm.BANDS)
            )
            print(
                f"| {name}/{how} | {seed} | {near} | {'yes' if shared else 'no'} | {pm.verify(copy, pm.grey(img)).kind} |"
            )


if __name__ == "__main__":
    main()
