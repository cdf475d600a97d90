import html
import io
import zipfile
from urllib.parse import unquote

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import personal
from audit.models import AuditEvent
from orgs.models import Member
from orgs.services import roster
from orgs.tests.roster_files import HEADERS

URL = reverse("orgs:member_export")


def workbook_rows(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def test_an_export_has_the_template_columns_and_masked_values_only(cast):
    response = cast.client(cast.dept_admin).get(URL)
    assert response.status_code == 200
    rows = workbook_rows(response)
    assert rows[0] == HEADERS
    assert len(rows) == 1 + Member.objects.count()
    cells = {str(v) for row in rows for v in row if v is not None}
    for member in Member.objects.all():
        assert personal.decrypt(member.id_number_enc) not in cells
        assert personal.decrypt(member.phone_enc) not in cells
    id_col, phone_col = HEADERS.index("公民身份号码"), HEADERS.index("联系电话")
    li = next(row for row in rows if row[1] == "李建国")
    assert li[id_col] == cast.member_a1.id_number_masked and "*" in li[id_col]
    assert li[phone_col] == "139******34"


def test_the_export_file_never_contains_a_full_number_anywhere(cast):
    data = roster.export_members(user=cast.dept_admin, queryset=Member.objects.all())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = b"".join(archive.read(name) for name in archive.namelist())
    # Every part as text, with XML character references resolved (openpyxl writes non-ASCII as
    # &#NNNNN; when lxml is installed), so no spelling of a number can hide from the check.
    text = html.unescape(raw.decode("utf-8"))
    assert "李建国" in text
    for member in Member.objects.all():
        assert personal.decrypt(member.id_number_enc) not in text
        assert personal.decrypt(member.phone_enc) not in text


def test_an_export_applies_the_member_filter(cast):
    response = cast.client(cast.dept_admin).get(URL, {"org": cast.branch_b1.pk})
    names = [row[1] for row in workbook_rows(response)[1:]]
    assert names == ["赵红梅"]


def test_an_export_is_limited_to_the_users_scope(cast):
    names = [row[1] for row in workbook_rows(cast.client(cast.committee_admin).get(URL))[1:]]
    assert "李建国" in names and "赵红梅" not in names


def test_an_export_is_an_attachment_named_with_the_date(cast):
    response = cast.client(cast.dept_admin).get(URL)
    assert response["Content-Type"] == roster.XLSX_CONTENT_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment")
    assert f"党员名册_{timezone.localdate():%Y%m%d}.xlsx" in disposition


def test_an_export_records_an_audit_event_with_the_filter_and_row_count(cast):
    cast.client(cast.dept_admin).get(URL, {"category": "full", "org": cast.committee_a.pk})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == cast.dept_admin.pk
    assert event.summary["filters"] == {"category": "full", "org": str(cast.committee_a.pk)}
    assert event.summary["rows"] == Member.objects.under(cast.committee_a).filter(category="full").count()


def test_an_export_without_the_permission_is_forbidden(cast):
    for user in (cast.viewer, cast.outsider, cast.secretary):
        assert cast.client(user).get(URL).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_anonymous_users_are_sent_to_the_login_page(cast):
    response = cast.client(None).get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_invalid_filter_is_a_bad_request(cast):
    assert cast.client(cast.dept_admin).get(URL, {"category": "nonsense"}).status_code == 400
