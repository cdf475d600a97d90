import datetime as dt

from conftest import make_member, make_org
from orgs import structure
from orgs.models import Organization

TODAY = dt.date(2026, 11, 24)


def codes(org):
    return {w.code for w in structure.org_warnings(org, TODAY)}


def test_a_branch_with_two_full_members_is_too_small(cast):
    branch = make_org(cast.committee_a, "小支部", "branch", "S1")
    make_member(branch, "甲")
    make_member(branch, "乙")
    make_member(branch, "丙", category="probationary")
    assert "too_few" in codes(branch)


def test_three_full_members_are_enough(cast):
    branch = make_org(cast.committee_a, "三人支部", "branch", "S2")
    for name in "甲乙丙":
        make_member(branch, name)
    assert "too_few" not in codes(branch)


def test_seven_full_members_without_committee_warn_and_six_do_not(cast):
    branch = make_org(cast.committee_a, "七人支部", "branch", "S3")
    for i in range(6):
        make_member(branch, f"员{i}")
    assert "no_committee" not in codes(branch)
    make_member(branch, "员6")
    assert "no_committee" in codes(branch)
    branch.has_committee = True
    assert "no_committee" not in codes(branch)


def test_fifty_one_members_are_too_many(cast):
    branch = make_org(cast.committee_a, "大支部", "branch", "S4", has_committee=True)
    for i in range(51):
        make_member(branch, f"员{i}")
    assert "too_many" in codes(branch)


def test_term_lengths_follow_the_rules(cast):
    assert structure.default_term_years(cast.committee_b) == 5
    assert structure.default_term_years(cast.branch_b1) == 3
    village = make_org(
        cast.county, "某村党支部", "branch", "S5", unit_category=Organization.UnitCategory.VILLAGE
    )
    assert structure.default_term_years(village) == 5


def test_expired_and_expiring_terms_warn(cast):
    branch = cast.branch_a1
    branch.term_started_on = dt.date(2023, 11, 1)  # ends 2026-11-01: expired
    assert "term_expired" in codes(branch)
    branch.term_started_on = dt.date(2024, 2, 1)  # ends 2027-02-01: within 3 months
    assert "term_expiring" in codes(branch)
    branch.term_started_on = dt.date(2024, 3, 1)  # ends 2027-03-01: more than 3 months away
    assert not codes(branch) & {"term_expired", "term_expiring"}


def test_problem_list_includes_only_organizations_with_warnings(cast):
    cast.branch_a2.term_started_on = dt.date(2020, 1, 1)
    cast.branch_a2.save()
    listed = {org.code for org, _ in structure.problem_list(Organization.objects.all(), TODAY)}
    assert "B0002" in listed
    assert "B0001" not in listed  # four full members, a committee, no term set


def test_subtree_ranges_cover_exactly_the_subtree():
    from orgs.paths import path_successor

    assert path_successor("0001") == "0002"
    assert path_successor("000Z") == "001"
    assert path_successor("00010ZZZ") == "00011"
    assert path_successor("ZZZZ") is None


def test_under_returns_the_node_and_its_descendants_only(cast):
    codes = set(Organization.objects.under(cast.committee_a).values_list("code", flat=True))
    assert codes == {"C0002", "B0001", "B0002", "G0001"}
