"""Plan and rule pages, four ways (allowed, read-only, outsider, anonymous), and the form flow."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_org
from orglife.models import MeetingType, MonthlyPlan
from orglife.services.plans import create_plan, submit_plan
from orglife.tests.plan_fixtures import at, filled

DEC = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _november():
    with at(2026, 11, 10):
        yield


@pytest.fixture
def plan(cast):
    """branch_a1's December plan, submitted and awaiting the committee."""
    p = create_plan(actor=cast.secretary, org=cast.branch_a1, month=DEC, items=filled(cast.branch_a1, DEC))
    submit_plan(actor=cast.secretary, plan=p)
    return p


@pytest.fixture
def draft(cast):
    return create_plan(actor=cast.secretary, org=cast.branch_a1, month=dt.date(2026, 11, 1), items=[])


READ = [
    ("orglife:plan_branch", "branch_a1"),
    ("orglife:plan_detail", "plan"),
    ("orglife:plan_review", None),
    ("orglife:plan_board", None),
    ("orglife:plan_board_export", None),
    ("orglife:rule_list", None),
]
WRITE_GET = [
    ("orglife:plan_create", "branch_a2"),
    ("orglife:plan_edit", "draft"),
    ("orglife:plan_item_row", "branch_a1"),
]
WRITE_POST = [
    ("orglife:plan_submit", "draft"),
    ("orglife:plan_approve", "plan"),
    ("orglife:plan_return", "plan"),
]
OBJECTS = [p for p in READ + WRITE_GET + WRITE_POST if p[1]]


def url(cast, request, name, obj):
    if obj is None:
        return reverse(name)
    target = request.getfixturevalue(obj) if obj in ("plan", "draft") else getattr(cast, obj)
    return reverse(name, args=[target.pk])


@pytest.mark.parametrize(("name", "obj"), READ + WRITE_GET)
@pytest.mark.parametrize("who", ["committee_admin", "dept_admin"])
def test_allowed_users_open_every_page(cast, request, plan, name, obj, who):
    assert cast.client(getattr(cast, who)).get(url(cast, request, name, obj)).status_code == 200


@pytest.mark.parametrize(("name", "obj"), READ)
def test_the_read_only_viewer_reads_every_page(cast, request, plan, name, obj):
    assert cast.client(cast.viewer).get(url(cast, request, name, obj)).status_code == 200


@pytest.mark.parametrize(("name", "obj"), WRITE_GET + WRITE_POST + [("orglife:rule_create", None)])
def test_the_read_only_viewer_is_refused_every_write(cast, request, plan, name, obj):
    client = cast.client(cast.viewer)
    target = url(cast, request, name, obj)
    assert client.get(target).status_code in (403, 405)
    assert client.post(target, {"reason": "x", "action": "submit"}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.SUBMITTED


@pytest.mark.parametrize(("name", "obj"), OBJECTS)
def test_an_outsider_gets_404_on_another_committees_plans(cast, request, plan, name, obj):
    client = cast.client(cast.outsider)
    target = url(cast, request, name, obj)
    assert client.get(target).status_code in (404, 405)
    assert client.post(target, {"reason": "x"}).status_code == 404


def test_an_outsider_sees_nothing_of_another_committee_on_the_lists(cast, plan):
    client = cast.client(cast.outsider)
    for name in ("orglife:plan_review", "orglife:plan_board"):
        html = client.get(reverse(name), {"month": "2026-12"}).content.decode()
        assert cast.branch_a1.name not in html and cast.branch_a1.display_name not in html


def test_a_user_with_no_tree_role_gets_404(cast):
    client = cast.client(cast.member_user)
    for name in ("orglife:plan_index", "orglife:plan_review", "orglife:plan_board", "orglife:rule_list"):
        assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize(("name", "obj"), READ + WRITE_GET + WRITE_POST + [("orglife:plan_index", None)])
def test_anonymous_visitors_are_sent_to_login(cast, request, plan, name, obj):
    response = cast.client(None).get(url(cast, request, name, obj))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_only_a_department_admin_may_publish_rules(cast):
    assert cast.client(cast.dept_admin).get(reverse("orglife:rule_create")).status_code == 200
    assert cast.client(cast.committee_admin).get(reverse("orglife:rule_create")).status_code == 403


# ---------------------------------------------------------------- flows


def test_a_secretary_lands_on_the_branch_page_with_the_prompt_and_countdown(cast):
    client = cast.client(cast.secretary)
    response = client.get(reverse("orglife:plan_index"))
    assert response["Location"] == reverse("orglife:plan_branch", args=[cast.branch_a1.pk])
    html = client.get(response["Location"]).content.decode()
    assert "12月提示单" in html and "必开" in html and "距截止还有 15 天" in html
    assert "编制12月计划" in html


def form_data(forms, action="submit"):
    data = {"items-TOTAL_FORMS": str(len(forms)), "items-INITIAL_FORMS": "0", "action": action}
    for n, item in enumerate(forms):
        for key, value in item.items():
            data[f"items-{n}-{key}"] = value
    return data


def rows_for(cast):
    out = []
    for item in filled(cast.branch_a1, DEC):
        out.append(
            {
                "meeting_type": item.meeting_type,
                "group": item.group.pk if item.group else "",
                "planned_on": item.planned_on.isoformat(),
                "place": item.place,
                "topic": item.topic,
                "host_name": item.host_name,
                "lecturer_name": item.lecturer_name,
            }
        )
    return out


def test_the_new_plan_form_is_prefilled_with_the_prompt(cast):
    html = (
        cast.client(cast.secretary)
        .get(reverse("orglife:plan_create", args=[cast.branch_a1.pk]))
        .content.decode()
    )
    assert html.count('class="xf-plan-item') == 8
    assert "第一党小组" in html and "增加一项活动" in html


def test_filing_through_the_form_submits_the_plan(cast):
    client = cast.client(cast.secretary)
    rows = rows_for(cast)
    rows[0]["DELETE"] = "on"  # deleting a required item only warns
    response = client.post(
        reverse("orglife:plan_create", args=[cast.branch_a1.pk]), form_data(rows), follow=True
    )
    plan = MonthlyPlan.objects.get(org=cast.branch_a1, month=DEC)
    assert plan.status == MonthlyPlan.Status.SUBMITTED and plan.items.count() == 7
    assert "计划已提交" in response.content.decode()


def test_an_incomplete_plan_is_saved_as_a_draft_with_the_reasons(cast):
    client = cast.client(cast.secretary)
    rows = rows_for(cast)
    rows[0]["place"] = ""
    response = client.post(
        reverse("orglife:plan_create", args=[cast.branch_a1.pk]), form_data(rows), follow=True
    )
    plan = MonthlyPlan.objects.get(org=cast.branch_a1, month=DEC)
    assert plan.status == MonthlyPlan.Status.DRAFT
    assert "未填写：地点" in response.content.decode()


def test_a_date_outside_the_month_is_shown_on_its_row(cast):
    rows = rows_for(cast)
    rows[0]["planned_on"] = "2027-01-02"
    response = cast.client(cast.secretary).post(
        reverse("orglife:plan_create", args=[cast.branch_a1.pk]), form_data(rows)
    )
    assert response.status_code == 200 and "应在2026年12月内" in response.content.decode()
    assert not MonthlyPlan.objects.exists()


def test_htmx_adds_a_row_and_counts_the_forms_up(cast):
    response = cast.client(cast.secretary).get(
        reverse("orglife:plan_item_row", args=[cast.branch_a1.pk]),
        {"month": "2026-12", "items-TOTAL_FORMS": "8"},
    )
    html = response.content.decode()
    assert 'name="items-8-meeting_type"' in html
    assert 'id="id_items-TOTAL_FORMS" hx-swap-oob="true"' in html and 'value="9"' in html


def test_filing_too_early_is_refused_on_the_page(cast):
    response = cast.client(cast.secretary).get(
        reverse("orglife:plan_create", args=[cast.branch_a1.pk]), {"month": "2027-01"}, follow=True
    )
    assert "起报送" in response.content.decode()
    assert not MonthlyPlan.objects.exists()


def test_the_committee_reviews_from_the_queue_and_returns_with_a_reason(cast, plan):
    client = cast.client(cast.committee_admin)
    html = client.get(reverse("orglife:plan_review")).content.decode()
    assert cast.branch_a1.display_name in html and reverse("orglife:plan_approve", args=[plan.pk]) in html
    client.post(reverse("orglife:plan_return", args=[plan.pk]), {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.SUBMITTED
    client.post(reverse("orglife:plan_return", args=[plan.pk]), {"reason": "地点不具体"})
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.RETURNED and plan.return_reason == "地点不具体"
    detail = cast.client(cast.secretary).get(reverse("orglife:plan_detail", args=[plan.pk])).content.decode()
    assert "地点不具体" in detail and "重新提交" in detail


def test_the_secretary_cannot_approve_their_own_plan(cast, plan):
    html = cast.client(cast.secretary).get(reverse("orglife:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("orglife:plan_approve", args=[plan.pk]) not in html
    assert (
        cast.client(cast.secretary).post(reverse("orglife:plan_approve", args=[plan.pk])).status_code == 403
    )
    assert cast.client(cast.secretary).get(reverse("orglife:plan_review")).context["rows"] == []


def test_approving_from_the_detail_page(cast, plan):
    cast.client(cast.committee_admin).post(reverse("orglife:plan_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == MonthlyPlan.Status.APPROVED


# ---------------------------------------------------------------- the status board


@pytest.fixture
def board(cast, plan):
    """December: a1 on time (plan), a2 late, b1 missing, plus a returned and a draft branch."""
    returned = make_org(cast.committee_a, "县审计局机关党支部", "branch", "B0010")
    drafty = make_org(cast.committee_b, "示范化工厂党支部", "branch", "B0011")
    with at(2026, 11, 26, 9):
        late = create_plan(
            actor=cast.committee_admin, org=cast.branch_a2, month=DEC, items=filled(cast.branch_a2, DEC)
        )
        submit_plan(actor=cast.committee_admin, plan=late)
    other = create_plan(actor=cast.committee_admin, org=returned, month=DEC, items=filled(returned, DEC))
    submit_plan(actor=cast.committee_admin, plan=other)
    from orglife.services.plans import return_plan

    return_plan(actor=cast.dept_admin, plan=other, reason="重报")
    create_plan(actor=cast.dept_admin, org=drafty, month=DEC, items=[])
    return cast


def test_the_board_counts_on_time_late_returned_draft_and_missing(board):
    html = (
        board.client(board.dept_admin)
        .get(reverse("orglife:plan_board"), {"month": "2026-12"})
        .content.decode()
    )
    for state in ("on_time", "late", "returned", "draft", "missing"):
        assert f"state={state}" in html
    response = board.client(board.dept_admin).get(
        reverse("orglife:plan_board"), {"month": "2026-12", "state": "missing"}
    )
    assert board.branch_b1.display_name in response.content.decode()
    assert board.branch_a1.display_name not in response.content.decode()
    assert response.context["total"] == 5
    assert [c[3] for c in response.context["counts"]] == [1, 1, 1, 1, 1]


def test_the_board_filters_by_committee(board):
    response = board.client(board.dept_admin).get(
        reverse("orglife:plan_board"), {"month": "2026-12", "committee": board.committee_b.pk}
    )
    names = [o.display_name for o in response.context["page"].object_list]
    assert names == [board.branch_b1.display_name, "示范化工厂党支部"]


def test_the_committee_board_covers_only_its_subtree(board):
    response = board.client(board.committee_admin).get(reverse("orglife:plan_board"), {"month": "2026-12"})
    assert response.context["total"] == 3


def test_the_board_exports_the_filtered_rows_to_xlsx(board):
    response = board.client(board.dept_admin).get(
        reverse("orglife:plan_board_export"), {"month": "2026-12", "state": "late"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("序号", "党支部", "上级组织", "报送情况")
    assert [r[1] for r in rows[2:]] == [board.branch_a2.name] and rows[2][3] == "逾期报送"


def test_the_board_paginates_with_a_fixed_number_of_queries(cast, django_assert_max_num_queries, settings):
    for n in range(25):
        make_org(cast.committee_b, f"示范企业{n:02d}党支部", "branch", f"B1{n:03d}")
    client = cast.client(cast.dept_admin)
    client.get(reverse("orglife:plan_board"))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse("orglife:plan_board"), {"month": "2026-12", "page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 28 - settings.PAGE_SIZE


def test_items_of_a_required_type_are_marked_on_the_detail_page(cast, plan):
    response = cast.client(cast.viewer).get(reverse("orglife:plan_detail", args=[plan.pk]))
    assert sum(item.required for item in response.context["items"]) == 8
    assert "必开" in response.content.decode() and MeetingType.LECTURE.label in response.content.decode()
