"""公示 (D-22) objections: recorded and closed by the branch, an open or upheld objection holds the step
after the notice, the notice printable; the pages four ways (allowed, read-only, outsider, anonymous)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from development.models import NoticeObjection, Person, Stage
from development.selectors import durations
from development.services import notices
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOTICE, NOW, WHY

RECEIVED = NOTICE + dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def activist(cast):
    with time_machine.travel(NOW):
        person = f.to_activist(cast, f.applicant(cast, name="吴公示"))
        f.svc.publish_notice(
            actor=cast.secretary, person=person, kind="candidate", starts_on=NOTICE, backdate_reason=WHY
        )
    return Person.objects.get(pk=person.pk)


def objection(cast, person, **extra):
    return notices.record_objection(
        actor=cast.secretary,
        person=person,
        notice=extra.pop("notice", "candidate"),
        received_on=extra.pop("received_on", RECEIVED),
        received_by="王组织委员",
        content="反映该同志曾拖欠集体承包款",
        source="",
        backdate_reason=WHY,
        **extra,
    )


def make_candidate(cast, person):
    f.svc.make_candidate(
        actor=cast.secretary,
        person=person,
        decided_on=f.CANDIDATE,
        filed_on=f.CANDIDATE + dt.timedelta(days=2),
        backdate_reason=WHY,
    )


def resolve(cast, item, outcome):
    return notices.resolve_objection(
        actor=cast.secretary,
        objection=item,
        resolved_on=RECEIVED + dt.timedelta(days=3),
        handling="支委会派人核实，承包款已于2025年结清",
        outcome=outcome,
        backdate_reason=WHY,
    )


@time_machine.travel(NOW)
def test_an_open_objection_holds_the_candidate_step_until_it_is_closed(cast, activist):
    item = objection(cast, activist)
    with pytest.raises(ValidationError, match="D-22.*1件未办结"):
        make_candidate(cast, activist)
    assert Person.objects.get(pk=activist.pk).stage == Stage.ACTIVIST
    resolve(cast, item, NoticeObjection.Outcome.CLEARED)
    make_candidate(cast, activist)
    assert Person.objects.get(pk=activist.pk).stage == Stage.CANDIDATE
    actions = list(activist.steps.values_list("action", flat=True))
    assert "受理公示反映意见" in actions and "公示反映意见办结" in actions


@time_machine.travel(NOW)
def test_an_upheld_objection_keeps_the_step_shut(cast, activist):
    resolve(cast, objection(cast, activist), NoticeObjection.Outcome.UPHELD)
    with pytest.raises(ValidationError, match="经核实影响发展"):
        make_candidate(cast, activist)


@time_machine.travel(NOW)
def test_a_new_notice_starts_a_new_round_of_objections(cast, activist):
    resolve(cast, objection(cast, activist), NoticeObjection.Outcome.UPHELD)
    f.svc.publish_notice(
        actor=cast.secretary,
        person=activist,
        kind="candidate",
        starts_on=dt.date(2026, 12, 7),
        backdate_reason=WHY,
    )
    f.svc.make_candidate(
        actor=cast.secretary,
        person=activist,
        decided_on=dt.date(2026, 12, 15),
        filed_on=dt.date(2026, 12, 16),
        backdate_reason=WHY,
    )
    assert Person.objects.get(pk=activist.pk).stage == Stage.CANDIDATE


@time_machine.travel(NOW)
def test_an_open_objection_to_the_probation_notice_holds_the_vote(cast):
    person = f.ready_for_vote(cast, f.applicant(cast))
    objection(cast, person, notice="probation", received_on=f.P_NOTICE + dt.timedelta(days=1))
    record = f.assembly(cast, f.ASSEMBLY)
    with pytest.raises(ValidationError, match="D-22.*未办结"):
        f.svc.record_admission_vote(
            actor=cast.secretary, person=person, record=record, yes=record.eligible_voters, no=0, abstain=0
        )
    assert not Person.objects.get(pk=person.pk).resolution_on


@time_machine.travel(NOW)
def test_bad_objections_are_refused_and_nothing_is_saved(cast, activist):
    with pytest.raises(ValidationError, match="公示开始日期"):
        objection(cast, activist, received_on=NOTICE - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="没有进行中的“拟接收预备党员公示”"):
        objection(cast, activist, notice="probation")
    with pytest.raises(PermissionDenied):
        notices.record_objection(
            actor=cast.viewer,
            person=activist,
            notice="candidate",
            received_on=RECEIVED,
            received_by="某",
            content="某",
            backdate_reason=WHY,
        )
    item = objection(cast, activist)
    resolve(cast, item, NoticeObjection.Outcome.CLEARED)
    with pytest.raises(ValidationError, match="已办结"):
        resolve(cast, item, NoticeObjection.Outcome.UPHELD)
    assert NoticeObjection.objects.count() == 1


@time_machine.travel(NOW)
def test_the_notices_page_four_ways(cast, activist):
    item = objection(cast, activist)
    url = reverse("development:notices", args=[activist.pk])
    assert cast.client(None).get(url).status_code == 302
    assert cast.client(cast.outsider).get(url).status_code == 404
    html = cast.client(cast.viewer).get(url).content.decode()
    assert "拖欠集体承包款" in html and "王组织委员" in html and "待办结" in html
    assert "登记反映意见" not in html and "objection/" not in html
    html = cast.client(cast.secretary).get(url).content.decode()
    assert "登记反映意见" in html and reverse("development:objection_resolve", args=[item.pk]) in html
    assert '2026-10-12</span> 至 <span class="text-nowrap">2026-10-16</span>（5个工作日）' in html
    detail = cast.client(cast.secretary).get(reverse("development:person_detail", args=[activist.pk]))
    assert "反映意见1件待办结" in detail.content.decode()


@time_machine.travel(NOW)
def test_recording_an_objection_through_the_page_four_ways(cast, activist):
    url = reverse("development:objection_add", args=[activist.pk])
    post = {
        "notice": "candidate",
        "received_on": "2026-10-14",
        "received_by": "李书记",
        "content": "来信反映其长期不参加村务劳动",
        "backdate_reason": "补录",
    }
    assert cast.client(None).post(url, post).status_code == 302
    assert cast.client(cast.outsider).post(url, post).status_code == 404
    assert cast.client(cast.viewer).post(url, post).status_code == 403
    assert not NoticeObjection.objects.exists()
    early = cast.client(cast.secretary).post(url, {**post, "received_on": "2026-10-01"})
    assert early.status_code == 400 and "不能早于公示开始日期" in early.content.decode()
    assert cast.client(cast.secretary).post(url, post).status_code == 302
    item = NoticeObjection.objects.get()
    assert (item.received_by, item.received_on, item.is_open) == ("李书记", dt.date(2026, 10, 14), True)


@time_machine.travel(NOW)
def test_closing_an_objection_through_the_page_four_ways(cast, activist):
    item = objection(cast, activist)
    url = reverse("development:objection_resolve", args=[item.pk])
    p = f"o{item.pk}-"
    post = {
        p + "resolved_on": "2026-10-16",
        p + "outcome": "cleared",
        p + "handling": "经核实反映不实",
        p + "backdate_reason": "补录",
    }
    assert cast.client(None).post(url, post).status_code == 302
    assert cast.client(cast.outsider).post(url, post).status_code == 404
    assert cast.client(cast.viewer).post(url, post).status_code == 403
    missing = cast.client(cast.secretary).post(url, {**post, p + "handling": ""})
    assert missing.status_code == 400 and NoticeObjection.objects.get().is_open
    assert cast.client(cast.secretary).post(url, post).status_code == 302
    closed = NoticeObjection.objects.get()
    assert (closed.outcome, closed.resolved_on, closed.handling) == (
        "cleared",
        dt.date(2026, 10, 16),
        "经核实反映不实",
    )


@time_machine.travel(NOW)
def test_the_printable_notice_four_ways(cast, activist):
    url = reverse("development:notice_print", args=[activist.pk, "candidate"])
    assert cast.client(None).get(url).status_code == 302
    assert cast.client(cast.outsider).get(url).status_code == 404
    for user in (cast.viewer, cast.secretary):
        html = cast.client(user).get(url).content.decode()
        assert "关于拟确定吴公示同志为发展对象的公示" in html
        assert "公示时间：2026年10月12日至2026年10月16日（5个工作日）" in html
        assert activist.id_number_masked not in html  # the board shows no ID number
    missing = reverse("development:notice_print", args=[activist.pk, "probation"])
    assert cast.client(cast.secretary).get(missing).status_code == 404


@time_machine.travel(NOW)
def test_the_overview_shows_the_average_days_spent_per_stage(cast):
    f.probationary(cast, f.applicant(cast, name="甲"))
    f.to_activist(cast, f.applicant(cast, name="乙", applied_on=dt.date(2025, 9, 11)))
    row = Person.objects.filter(org=cast.branch_a1).aggregate(**durations.average_aggregates())
    # 申请人: (2025-09-01 → 2025-10-10 = 39) and (2025-09-11 → 2025-10-10 = 29): 34 days on average;
    # 积极分子 2025-10-10 → 2026-10-20 = 375; 发展对象 2026-10-20 → 2027-02-01 = 104; nobody converted yet.
    assert durations.average_days(row) == [34, 375, 104, None]
    html = (
        cast.client(cast.committee_admin)
        .get(reverse("development:overview"), {"org": cast.committee_a.pk})
        .content.decode()
    )
    assert "平均用时（天）" in html
    cells = html.split(cast.branch_a1.display_name, 1)[1].split("</tr>", 1)[0]
    assert all(f'<td class="text-end">{n}</td>' in cells for n in (34, 375, 104))


@time_machine.travel(NOW)
def test_the_objections_api_four_ways(cast, activist):
    url = f"/api/v1/development/people/{activist.pk}/objections/"
    body = {
        "notice": "candidate",
        "received_on": "2026-10-14",
        "received_by": "李书记",
        "content": "来电反映",
    }
    body["backdate_reason"] = "补录"
    assert cast.client(None).post(url, body, content_type="application/json").status_code in (401, 403)
    assert cast.client(cast.outsider).post(url, body, content_type="application/json").status_code == 404
    assert cast.client(cast.viewer).post(url, body, content_type="application/json").status_code == 403
    early = cast.client(cast.secretary).post(
        url, {**body, "received_on": "2026-10-01"}, content_type="application/json"
    )
    assert early.status_code == 400 and "公示开始日期" in early.content.decode()
    made = cast.client(cast.secretary).post(url, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["resolved_on"] is None
    listed = cast.client(cast.viewer).get(url).json()
    assert [(o["received_by"], o["content"]) for o in listed] == [("李书记", "来电反映")]
    assert cast.client(cast.outsider).get(url).status_code == 404
    resolve = f"/api/v1/development/objections/{made.json()['id']}/resolve/"
    done = {
        "resolved_on": "2026-10-16",
        "outcome": "cleared",
        "handling": "经核实不实",
        "backdate_reason": "补录",
    }
    assert cast.client(cast.viewer).post(resolve, done, content_type="application/json").status_code == 403
    assert cast.client(cast.outsider).post(resolve, done, content_type="application/json").status_code == 404
    closed = cast.client(cast.secretary).post(resolve, done, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["outcome"] == "cleared"


def test_the_branch_board_shows_the_notices_to_its_members_four_ways(cast, activist):
    """党务公开: the branch's 公示 board, for anyone reading the branch and for its own party members."""
    url = reverse("development:disclosure", args=[cast.branch_a1.pk])
    title = "关于拟确定吴公示同志为发展对象的公示"
    with time_machine.travel(dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC)):
        assert cast.client(None).get(url).status_code == 302
        assert cast.client(cast.outsider).get(url).status_code == 404
        for user in (cast.member_user, cast.viewer, cast.secretary):
            html = cast.client(user).get(url).content.decode()
            assert title in html and "公示中" in html, user
            assert "公示时间：2026年10月12日至2026年10月16日（5个工作日）" in html
            assert activist.id_number_masked not in html
        member_html = cast.client(cast.member_user).get(url).content.decode()
        assert reverse("development:notices", args=[activist.pk]) not in member_html  # no door to the file
        secretary_html = cast.client(cast.secretary).get(url).content.decode()
        assert reverse("development:notices", args=[activist.pk]) in secretary_html
        # a member sees their own branch's board only
        for other in (cast.branch_b1, cast.committee_a):
            assert (
                cast.client(cast.member_user)
                .get(reverse("development:disclosure", args=[other.pk]))
                .status_code
                == 404
            )
        missing = reverse("development:disclosure", args=[999999])
        assert cast.client(cast.secretary).get(missing).status_code == 404
        home = cast.client(cast.member_user).get(reverse("home:dashboard")).content.decode()
        assert url in home
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)):
        html = cast.client(cast.member_user).get(url).content.decode()
        assert title in html and "已结束" in html and "公示中" not in html  # kept 30 days after its end
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)):
        html = cast.client(cast.member_user).get(url).content.decode()
        assert title not in html and "目前没有发展党员公示" in html
