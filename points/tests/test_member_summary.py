"""The start pages' summary of a member's year is the 一人一档's blocks and total, to the digit shown."""

import datetime as dt

from points.selectors import member_file, member_summary
from points.tests.helpers import award


def shown(file):
    return str(file.total), [(b.code, b.name, str(b.points), b.cap) for b in file.blocks], file.below_pass


def test_the_summary_matches_the_file(cast, catalogue):
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 3, 2))
    award(cast.member_a1, "orglife_attendance", dt.date(2026, 4, 2))
    award(cast.member_a1, "theory_study", dt.date(2026, 3, 5))
    summary = member_summary(cast.member_a1, 2026)
    assert shown(summary) == shown(member_file(cast.member_a1, 2026))
    assert "." in str(summary.total)


def test_a_member_without_entries_has_every_block_at_zero(cast, catalogue):
    summary = member_summary(cast.member_b1, 2026)
    assert shown(summary) == shown(member_file(cast.member_b1, 2026))
    assert summary.below_pass
