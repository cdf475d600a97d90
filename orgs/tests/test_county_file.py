"""The round trip: the county as a sealed archive (full ID numbers, audited), opened by the wizard again."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

import personal
from audit.models import AuditEvent
from orgs.models import OnboardingBatch, Position
from orgs.services import county_file, onboarding
from orgs.services.roster import RosterFileError

PASS = "一二三四五六七八九十abc"


def test_the_archive_is_sealed_and_carries_full_id_numbers(cast):
    sealed = county_file.export_county(actor=cast.dept_admin, reason="迁往市级平台", passphrase=PASS)
    assert sealed.startswith(personal.SEAL_MAGIC) and b"PK" not in sealed[:64]
    files = county_file.open_archive(sealed, PASS)
    assert set(files) == {"orgs", "members", "positions"}
    members = load_workbook(io.BytesIO(files["members"][1]), read_only=True)
    numbers = [row[5] for row in members.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert personal.decrypt(cast.member_a1.id_number_enc) in numbers


def test_the_export_is_audited_as_an_unmasking_with_its_reason(cast):
    county_file.export_county(actor=cast.dept_admin, reason="迁往市级平台", passphrase=PASS)
    unmask = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK)
    assert unmask.summary["reason"] == "迁往市级平台" and unmask.summary["members"] == 5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_a_wrong_passphrase_or_a_changed_byte_is_refused_in_chinese(cast):
    sealed = county_file.export_county(actor=cast.dept_admin, reason="备份", passphrase=PASS)
    with pytest.raises(RosterFileError, match="口令不正确"):
        county_file.open_archive(sealed, PASS + "x")
    changed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(RosterFileError, match="口令不正确，或文件已损坏"):
        county_file.open_archive(changed, PASS)


def test_the_reimported_archive_changes_nothing(cast):
    Position.objects.create(
        member=cast.member_a1, org=cast.branch_a1, title="secretary", started_on=dt.date(2024, 1, 1)
    )
    sealed = county_file.export_county(actor=cast.dept_admin, reason="演练", passphrase=PASS)
    batch = onboarding.create_batch(actor=cast.dept_admin, files=county_file.open_archive(sealed, PASS))
    checked = onboarding.run(batch.pk, apply=False)
    assert checked.status == OnboardingBatch.Status.CHECKED, checked.report
    for report in checked.report["files"].values():
        assert report["created"] == report["updated"] == 0, report


def test_a_short_passphrase_no_reason_or_missing_permission_is_refused(cast):
    with pytest.raises(ValidationError):
        county_file.export_county(actor=cast.dept_admin, reason="", passphrase="short")
    cast.dept_admin.user_permissions.clear()
    cast.dept_admin = type(cast.dept_admin).objects.get(pk=cast.dept_admin.pk)  # a fresh permission cache
    with pytest.raises(PermissionDenied):
        county_file.export_county(actor=cast.dept_admin, reason="备份", passphrase=PASS)


def test_an_archive_with_other_contents_is_refused(cast):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr("evil.xlsx", b"x")
    with pytest.raises(RosterFileError, match="内容不正确"):
        county_file.open_archive(personal.seal_with_passphrase(buf.getvalue(), PASS), PASS)


def test_the_export_page_four_ways(cast):
    url = reverse("orgs:county_export")
    assert cast.client(cast.dept_admin).get(url).status_code == 200
    assert cast.client(cast.viewer).get(url).status_code == 403
    assert cast.client(cast.outsider).get(url).status_code == 403
    assert cast.client(None).get(url).status_code == 302
    response = cast.client(cast.dept_admin).post(
        url, {"reason": "迁移", "passphrase": PASS, "passphrase2": PASS}
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sealed = b"".join(response.streaming_content)
    wizard = cast.client(cast.dept_admin).post(
        reverse("orgs:onboarding"),
        {"archive": _upload(sealed), "passphrase": PASS},
    )
    assert wizard.status_code == 302 and OnboardingBatch.objects.get().members_file_name == "党员.xlsx"


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("county.xfpack", data)


def test_the_archive_writes_typed_formulas_as_text(cast):
    from orgs.tests.xlsx_checks import FORMULA, formula_cells

    cast.branch_a1.name = FORMULA
    cast.branch_a1.save(update_fields=["name"])
    cast.member_a1.name = FORMULA
    cast.member_a1.save(update_fields=["name"])
    files = county_file.open_archive(
        county_file.export_county(actor=cast.dept_admin, reason="迁往市级平台", passphrase=PASS), PASS
    )
    for sheet, (_, content) in files.items():
        wb = load_workbook(io.BytesIO(content))
        assert formula_cells(wb) == []
        if sheet in ("orgs", "members"):
            assert FORMULA in [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
