from django.urls import reverse

from home.menu import _BUILT, audience, build, menu_for, menu_html


def labels(cast, user, path="/"):
    return [(g["label"], [e["label"] for e in g["entries"]]) for g in menu_for(user, path)]


def flat(cast, user):
    return [label for _, entries in labels(cast, user) for label in entries]


def test_a_branch_secretary_sees_branch_work_first_and_no_county_tools(cast):
    groups = labels(cast, cast.secretary)
    assert groups[0] == ("首页", ["工作台", "站内消息"])
    assert groups[1][0] == "组织生活" and groups[1][1][:2] == ["组织生活纪实", "月度计划"]
    assert groups[2][0] == "组织与党员"
    everything = flat(cast, cast.secretary)
    for county_tool in [
        "计划审核",
        "线上巡查",
        "月积分",
        "约谈",
        "短信发送记录",
        "观察员选聘",
        "接口文档",
        "排名与统计",
    ]:
        assert county_tool not in everything
    # Branch work only: plans, records, members, posts, 发展党员, points, 学时, 微党课.
    assert len(everything) <= 23


def test_a_member_sees_their_points_first_and_no_tree_pages(cast):
    groups = labels(cast, cast.member_user)
    assert [g for g, _ in groups] == ["首页", "学习积分", "学习教育"]
    assert groups[1][1][:2] == ["积分首页", "我的积分档案"]
    assert groups[2][1] == ["我的学时", "教育片库", "一人一册", "答题与每日一练"]
    assert "我的申报" in groups[1][1] and "申报审核" not in groups[1][1]
    hrefs = [e["href"] for g in menu_for(cast.member_user, "/") for e in g["entries"]]
    assert reverse("points:member_file", args=[cast.member_a1.pk]) in hrefs
    assert reverse("learning:member", args=[cast.member_a1.pk]) in hrefs
    assert reverse("orgs:member_list") not in hrefs


def test_the_department_sees_the_county_tools(cast):
    everything = flat(cast, cast.dept_admin)
    for tool in ["计划审核", "线上巡查", "月积分", "短信发送记录", "观察员选聘", "接口文档", "排名与统计"]:
        assert tool in everything
    assert "审计日志" not in everything and "我的积分档案" not in everything


def test_the_page_being_shown_is_the_active_entry(cast):
    def active(path):
        return [e["label"] for g in menu_for(cast.dept_admin, path) for e in g["entries"] if e["active"]]

    assert active("/") == ["工作台"]
    assert active("/orglife/plans/review/") == ["计划审核"]
    assert active("/orglife/plans/12/") == ["月度计划"]
    assert active("/orglife/patrol/rectifications/3/") == ["整改跟踪"]
    assert active("/orgs/problems/") == ["问题清单"]
    assert active("/nowhere/") == []


def test_the_menu_is_built_once_per_role_set(cast, django_assert_num_queries):
    menu_for(cast.secretary, "/")
    before = len(_BUILT)
    menu_for(cast.outsider, "/")  # another branch secretary: the same menu
    assert len(_BUILT) == before
    assert build(frozenset({"*", "branch_secretary"})) is build(frozenset({"*", "branch_secretary"}))


def test_pages_render_the_menu(cast):
    page = cast.client(cast.secretary).get(reverse("orglife:record_list")).content.decode()
    assert 'aria-current="page"' in page and "组织生活纪实" in page and "计划审核" not in page


def test_the_rendered_menu_is_the_menu_with_the_page_marked_and_the_member_id_filled_in(cast):
    html = str(menu_html(cast.member_user, "/points/"))
    for group in menu_for(cast.member_user, "/points/"):
        assert f'<div class="xf-menu-group">{group["label"]}</div>' in html
        for entry in group["entries"]:
            current = ' active" href="{}" aria-current="page"' if entry["active"] else '" href="{}">'
            assert current.format(entry["href"]) in html
    assert html.count('aria-current="page"') == 1
    assert f'href="{reverse("points:member_file", args=[cast.member_a1.pk])}"' in html


def test_pages_reuse_the_rendered_menu_of_their_role_set(cast):
    tokens = audience(cast.secretary)
    _BUILT.pop(tokens, None)
    cast.client(cast.secretary).get(reverse("orglife:record_list"))
    built = _BUILT[tokens]
    page = cast.client(cast.outsider).get(reverse("orgs:member_list")).content.decode()
    assert _BUILT[audience(cast.outsider)] is built
    assert f'class="nav-link active" href="{reverse("orgs:member_list")}" aria-current="page"' in page
