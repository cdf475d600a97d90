import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Member
from orgs.services import roster
from orgs.tests.roster_files import HEADERS, person, xlsx

URL = reverse("orgs:member_import")


def upload(data, name="名册.xlsx"):
    return {"file": SimpleUploadedFile(name, data, content_type=roster.XLSX_CONTENT_TYPE)}


def test_an_admin_sees_the_upload_form_and_the_template_link(cast):
    response = cast.client(cast.committee_admin).get(URL)
    assert response.status_code == 200
    assert b'name="file"' in response.content
    assert reverse("orgs:member_import_template").encode() in response.content


def test_an_admin_imports_a_file_and_sees_the_summary(cast):
    response = cast.client(cast.committee_admin).post(URL, upload(xlsx([person(1), person(2)]).getvalue()))
    assert response.status_code == 200
    assert "导入成功" in response.content.decode()
    assert "新增 <strong>2</strong> 人" in response.content.decode()
    assert Member.objects.filter(name__startswith="陈晓").count() == 2


def test_a_file_with_an_error_shows_the_error_table_and_imports_nothing(cast):
    data = xlsx([person(1), person(2, 所在党组织代码="NOPE")]).getvalue()
    page = cast.client(cast.committee_admin).post(URL, upload(data)).content.decode()
    assert "未导入任何数据" in page
    assert 'id="import-errors"' in page
    assert '<td class="text-end">3</td><td>所在党组织代码</td>' in page
    assert not Member.objects.filter(name__startswith="陈晓").exists()


def test_htmx_gets_only_the_panel(cast):
    data = xlsx([person(1)]).getvalue()
    response = cast.client(cast.committee_admin).post(URL, upload(data), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert "导入成功" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"name,id\n", "名册.xlsx"),
        (b"\xd0\xcf\x11\xe0 old excel", "名册.xls"),
        (b"PK\x03\x04 zip", "名册.csv"),
    ],
)
def test_anything_but_an_xlsx_is_refused_in_chinese(cast, data, name):
    page = cast.client(cast.committee_admin).post(URL, upload(data, name)).content.decode()
    assert "请上传 Excel 2007 及以上版本的 .xlsx 文件" in page
    assert "is-invalid" in page


def test_a_zip_that_is_not_a_workbook_is_refused_in_chinese(cast):
    page = cast.client(cast.committee_admin).post(URL, upload(b"PK\x03\x04" + b"\0" * 50)).content.decode()
    assert "无法读取该文件" in page


def test_a_file_over_the_size_limit_is_refused(cast, settings):
    settings.IMPORT_MAX_BYTES = 100
    page = cast.client(cast.committee_admin).post(URL, upload(xlsx([person(1)]).getvalue())).content.decode()
    assert "文件不能超过" in page
    assert not Member.objects.filter(name__startswith="陈晓").exists()


def test_a_viewer_is_forbidden_to_see_or_post_the_import_page(cast):
    client = cast.client(cast.viewer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, upload(xlsx([person(1)]).getvalue())).status_code == 403
    assert not Member.objects.filter(name__startswith="陈晓").exists()


def test_an_outsider_gets_row_errors_for_organizations_outside_their_scope(cast):
    page = cast.client(cast.outsider).post(URL, upload(xlsx([person(1)]).getvalue())).content.decode()
    assert "不存在或不在您的管理范围内" in page
    assert not Member.objects.filter(name__startswith="陈晓").exists()


def test_a_member_without_a_tree_role_does_not_find_the_page(cast):
    assert cast.client(cast.member_user).get(URL).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(cast):
    for url in (URL, reverse("orgs:member_import_template")):
        response = cast.client(None).get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_the_template_has_the_summary_table_columns_and_drop_downs(cast):
    response = cast.client(cast.committee_admin).get(reverse("orgs:member_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == roster.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["党员名册"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A2"].value == "示例"
    assert ws["K2"].value == "B0001"  # an organization the importer may write to
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C2"] == '"男,女"'
    assert lists["H2"] == '"正式党员,预备党员"'
    assert "大学本科" in lists["G2"] and "停止党籍" in lists["P2"]


def test_a_viewer_cannot_download_the_template(cast):
    assert cast.client(cast.viewer).get(reverse("orgs:member_import_template")).status_code == 403
