"""The onboarding wizard: three files imported in dependency order, all or nothing, mapped, previewed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import ColumnMapping, Member, OnboardingBatch, Organization, Position
from orgs.services import onboarding
from orgs.services.roster import RosterFileError
from orgs.tests.roster_files import HEADERS as MEMBER_HEADERS
from orgs.tests.roster_files import person, xlsx
from orgs.tests.test_positions_import import HEADERS as POST_HEADERS
from orgs.tests.test_tree_import import PARENT_HEADERS, org
from personal import idcard


def tree_rows():
    return [
        org("县民政局机关党委", "N0001", "C0001", kind="党委"),
        org("县民政局第一党支部", "N0002", "N0001"),
    ]


def member_rows(code="N0002", n=3):
    return [person(i, 所在党组织代码=code) for i in range(1, n + 1)]


def post_rows(members):
    return [
        {
            "姓名": m["姓名"],
            "公民身份号码": m["公民身份号码"],
            "任职组织代码": "N0002",
            "职务": "书记",
            "任职日期": "2024-01-01",
        }
        for m in members[:1]
    ]


def files(tree=None, members=None, posts=None, *, member_headers=None):
    out = {}
    if tree is not None:
        out["orgs"] = ("orgs.xlsx", xlsx(tree, PARENT_HEADERS).getvalue())
    if members is not None:
        out["members"] = ("members.xlsx", xlsx(members, member_headers).getvalue())
    if posts is not None:
        out["positions"] = ("posts.xlsx", xlsx(posts, POST_HEADERS).getvalue())
    return out


def check_and_import(cast, batch_files):
    batch = onboarding.create_batch(actor=cast.dept_admin, files=batch_files)
    checked = onboarding.run(batch.pk, apply=False)
    if checked.status != OnboardingBatch.Status.CHECKED:
        return checked
    return onboarding.run(batch.pk, apply=True)


def test_three_files_are_imported_tree_first_then_members_then_posts(cast):
    members = member_rows()
    batch = check_and_import(cast, files(tree_rows(), members, post_rows(members)))
    assert batch.status == OnboardingBatch.Status.DONE, batch.report
    branch = Organization.objects.get(code="N0002")
    assert branch.parent.code == "N0001"
    assert Member.objects.filter(org=branch).count() == 3
    assert Position.objects.get(org=branch).member.name == members[0]["姓名"]
    assert not bytes(OnboardingBatch.objects.get(pk=batch.pk).members_file)  # dropped once imported
    files_report = batch.report["files"]
    assert [files_report[s]["created"] for s in ("orgs", "members", "positions")] == [2, 3, 1]


def test_the_check_is_a_preview_that_writes_nothing(cast):
    members = member_rows()
    batch = onboarding.create_batch(
        actor=cast.dept_admin, files=files(tree_rows(), members, post_rows(members))
    )
    checked = onboarding.run(batch.pk, apply=False)
    assert checked.status == OnboardingBatch.Status.CHECKED and checked.report["ok"]
    assert checked.report["files"]["members"]["created"] == 3
    assert (
        not Organization.objects.filter(code="N0001").exists()
        and not Member.objects.filter(org__code="N0002").exists()
    )


def test_an_error_in_the_last_file_leaves_the_first_two_unimported(cast):
    members = member_rows()
    bad_post = [{**post_rows(members)[0], "公民身份号码": idcard.make("340101", dt.date(1970, 1, 1), 99)}]
    batch = check_and_import(cast, files(tree_rows(), members, bad_post))
    assert batch.status == OnboardingBatch.Status.FAILED
    assert batch.report["files"]["positions"]["errors"][0][1] == "公民身份号码"
    assert not Organization.objects.filter(code="N0001").exists()
    assert not Member.objects.filter(name=members[0]["姓名"]).exists()


def test_a_member_under_an_organization_in_no_file_is_a_row_error(cast):
    batch = check_and_import(cast, files(tree_rows(), member_rows(code="Z0404")))
    errors = batch.report["files"]["members"]["errors"]
    assert batch.status == OnboardingBatch.Status.FAILED and "Z0404" in errors[0][2]


def test_a_second_run_of_the_same_files_changes_nothing_and_an_update_is_previewed(cast):
    members = member_rows()
    check_and_import(cast, files(tree_rows(), members, post_rows(members)))
    again = check_and_import(cast, files(tree_rows(), members, post_rows(members)))
    assert again.status == OnboardingBatch.Status.DONE
    assert [again.report["files"][s]["created"] for s in ("orgs", "members", "positions")] == [0, 0, 0]
    changed = tree_rows()
    changed[1]["组织全称"] = "县民政局机关第一党支部"
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(changed))
    preview = onboarding.run(batch.pk, apply=False)
    preview.refresh_from_db()  # the report as stored (JSON)
    [change] = preview.report["files"]["orgs"]["changes"]
    assert change["fields"] == {"组织全称": ["县民政局第一党支部", "县民政局机关第一党支部"]}
    assert Organization.objects.get(code="N0002").name == "县民政局第一党支部"  # not applied yet


def test_an_updated_member_file_previews_each_changed_field_before_applying(cast):
    members = member_rows()
    check_and_import(cast, files(tree_rows(), members, post_rows(members)))
    updated = member_rows(n=4)
    updated[0]["学历"] = "研究生"
    updated[1]["联系电话"] = "13712345678"
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(members=updated))
    preview = onboarding.run(batch.pk, apply=False)
    preview.refresh_from_db()  # the report as stored (JSON)
    changes = {c["name"]: c for c in preview.report["files"]["members"]["changes"]}
    assert changes["陈晓1"]["fields"] == {"学历": ["大学本科", "研究生"]}
    assert changes["陈晓2"]["fields"] == {"联系电话": ["139******02", "137******78"]}
    assert changes["陈晓4"]["created"] and "*" in changes["陈晓4"]["code"]
    assert "陈晓3" not in changes  # unchanged rows are counted, not listed
    stored = str(preview.report)
    assert updated[3]["公民身份号码"] not in stored and "13712345678" not in stored
    assert Member.objects.get(name="陈晓1").education != "研究生"  # a preview applies nothing
    page = cast.client(cast.dept_admin).get(reverse("orgs:onboarding_detail", args=[batch.pk]))
    assert "学历 “大学本科” → “研究生”" in page.content.decode()


def test_a_countys_own_headers_are_mapped_and_remembered(cast):
    own = ["证件号码" if h == "公民身份号码" else h for h in MEMBER_HEADERS]
    rows = [
        {("证件号码" if k == "公民身份号码" else k): v for k, v in r.items()}
        for r in member_rows(code="B0001")
    ]
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(members=rows, member_headers=own))
    [columns] = onboarding.sheet_columns(batch)
    assert not columns.ready and "公民身份号码" in columns.missing
    onboarding.save_mapping(
        actor=cast.dept_admin, batch=batch, sheet="members", mapping={"证件号码": "id_number"}
    )
    batch.refresh_from_db()
    assert onboarding.sheet_columns(batch)[0].ready
    assert onboarding.run(batch.pk, apply=False).status == OnboardingBatch.Status.CHECKED
    assert onboarding.run(batch.pk, apply=True).status == OnboardingBatch.Status.DONE
    assert Member.objects.filter(org=cast.branch_a1).count() == 4 + 3
    assert ColumnMapping.objects.get(org=cast.county, sheet="members").column == "id_number"
    later = onboarding.create_batch(actor=cast.dept_admin, files=files(members=rows, member_headers=own))
    assert onboarding.sheet_columns(later)[0].ready  # remembered for the county


def test_uploads_that_are_not_spreadsheets_or_are_too_big_are_refused(cast, settings):
    with pytest.raises(RosterFileError, match="不是 .xlsx"):
        onboarding.create_batch(actor=cast.dept_admin, files={"orgs": ("orgs.csv", b"a,b\n")})
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(RosterFileError, match="超过"):
        onboarding.create_batch(actor=cast.dept_admin, files=files(tree_rows()))


def test_the_uploaded_files_are_stored_encrypted(cast):
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(members=member_rows()))
    stored = bytes(OnboardingBatch.objects.get(pk=batch.pk).members_file)
    assert b"PK" not in stored[:8] and onboarding.file_of(batch, "members").startswith(b"PK")


def test_an_import_must_be_checked_first(cast):
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(tree_rows()))
    with pytest.raises(Exception, match="请先校验"):
        onboarding.start(actor=cast.dept_admin, batch=batch, apply=True)


def test_only_the_department_admin_onboards(cast):
    with pytest.raises(Exception, match="只有组织部管理员"):
        onboarding.create_batch(actor=cast.committee_admin, files=files(tree_rows()))


# ---------------------------------------------------------------- pages, four ways


def test_the_wizard_pages_four_ways(cast):
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(tree_rows()))
    for url in (reverse("orgs:onboarding"), reverse("orgs:onboarding_detail", args=[batch.pk])):
        assert cast.client(cast.dept_admin).get(url).status_code == 200
        assert cast.client(None).get(url).status_code == 302
    assert cast.client(cast.viewer).get(reverse("orgs:onboarding")).status_code == 403
    assert cast.client(cast.outsider).get(reverse("orgs:onboarding")).status_code == 403
    detail = reverse("orgs:onboarding_detail", args=[batch.pk])
    assert cast.client(cast.outsider).get(detail).status_code == 404  # outside the batch's county
    assert cast.client(cast.viewer).get(detail).status_code == 404  # the viewer sees only committee A
    progress = reverse("orgs:onboarding_progress", args=[batch.pk])
    assert cast.client(cast.outsider).get(progress).status_code == 404
    template = cast.client(cast.dept_admin).get(reverse("orgs:onboarding_template", args=["orgs"]))
    assert template.status_code == 200


def test_the_wizard_end_to_end_through_the_pages(cast, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = cast.client(cast.dept_admin)
    members = member_rows()
    uploads = {
        name: xlsx_file(data, fname)
        for name, (fname, data) in files(tree_rows(), members, post_rows(members)).items()
    }
    response = client.post(reverse("orgs:onboarding"), uploads)
    assert response.status_code == 302
    batch = OnboardingBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:onboarding_start", args=[batch.pk, "check"]))
    html = client.get(reverse("orgs:onboarding_detail", args=[batch.pk])).content.decode()
    assert "校验通过" in html and "第四步：确认导入" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:onboarding_start", args=[batch.pk, "import"]))
    html = client.get(reverse("orgs:onboarding_detail", args=[batch.pk])).content.decode()
    assert "导入结果" in html and "结构检查" in html
    assert Organization.objects.filter(code="N0002").exists()


def xlsx_file(data, name):
    return SimpleUploadedFile(name, data)


def test_a_blank_secretary_column_keeps_the_secretary_the_posts_named(cast):
    members = member_rows()
    check_and_import(cast, files(tree_rows(), members, post_rows(members)))
    rows = [{**row, "书记姓名": ""} for row in tree_rows()]
    again = check_and_import(cast, files(rows, members, post_rows(members)))
    assert again.report["files"]["orgs"]["updated"] == 0
    assert Organization.objects.get(code="N0002").secretary_name == members[0]["姓名"]


def test_a_long_member_file_moves_the_progress_bar_row_by_row(cast, monkeypatch):
    """At a city's scale the member file takes minutes: the bar moves within its share as rows are checked."""
    from orgs.services import roster

    monkeypatch.setattr(roster, "PROGRESS_EVERY", 2)
    written = []
    original = onboarding._write_progress

    def recording(batch_id, percent, stage):
        written.append((percent, stage))
        original(batch_id, percent, stage)

    monkeypatch.setattr(onboarding, "_write_progress", recording)
    members = member_rows(n=7)
    batch = onboarding.create_batch(actor=cast.dept_admin, files=files(tree_rows(), members))
    onboarding.run(batch.pk, apply=False)
    rows = [(p, s) for p, s in written if "已检查" in s]
    assert [s for _, s in rows] == [f"导入党员（2/2）：已检查{n}/7行" for n in (2, 4, 6)]
    percents = [p for p, _ in rows]
    assert percents == sorted(percents) and percents[0] >= 47 and percents[-1] < 90  # within the file's share
    assert written[-1] == (100, "完成")
