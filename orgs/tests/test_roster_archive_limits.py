"""An .xlsx is checked as a zip before any parser sees it: entry count, unpacked sizes, XML markup.

A 299 KB upload whose sheet held a huge XML comment tied up a worker until gunicorn killed it (issue 11).
"""

import io
import time
import zipfile

import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import Member
from orgs.services import roster
from orgs.tests.roster_files import person, xlsx

SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def rebuilt(*, sheet_prefix=b"", sheet_padding_mb=0, extra_entries=0):
    """A valid one-member roster, repacked: markup before <sheetData>, a padded sheet, extra parts."""
    source = zipfile.ZipFile(xlsx([person(1)]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != SHEET:
                archive.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with archive.open(SHEET, "w", force_zip64=True) as part:
                part.write(head + sheet_prefix)
                for _ in range(sheet_padding_mb):  # whitespace between tags: legal XML, just huge
                    part.write(b" " * MB)
                part.write(b"<sheetData>" + tail)
        for n in range(extra_entries):
            archive.writestr(f"customXml/item{n}.xml", b"<?xml version='1.0'?><a/>")
    return io.BytesIO(out.getvalue())


def refused(file):
    started = time.perf_counter()
    with pytest.raises(roster.RosterFileError) as caught:
        roster.import_members(actor=roster_actor[0], file=file, file_name="炸弹.xlsx")
    return str(caught.value), time.perf_counter() - started


roster_actor: list = []


@pytest.fixture(autouse=True)
def importer(cast):
    roster_actor[:] = [cast.committee_admin]


def test_a_small_file_whose_sheet_unpacks_past_the_limit_is_refused_fast():
    bomb = rebuilt(sheet_padding_mb=120)
    assert len(bomb.getvalue()) < 400 * 1024  # what the size check on the upload sees
    message, elapsed = refused(bomb)
    assert elapsed < 0.5
    assert "文件解压后过大" in message and SHEET in message and "100.0 MB" in message


def test_a_huge_xml_comment_is_refused_before_parsing():
    bomb = rebuilt(sheet_prefix=b"<!--" + b"A" * (5 * MB) + b"-->")
    message, elapsed = refused(bomb)
    assert elapsed < 0.5  # parsing it took about 4 s (20 MB: a minute)
    assert "含有 Excel 不会写入的内容" in message and SHEET in message


def test_a_huge_tag_is_refused_before_parsing():
    bomb = rebuilt(sheet_prefix=b'<sheetPr codeName="' + b">" * (2 * MB) + b'"/>')
    message, elapsed = refused(bomb)
    assert elapsed < 0.5
    assert "超长标记" in message


def test_a_document_type_declaration_is_refused():
    message, _ = refused(rebuilt(sheet_prefix=b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'))
    assert "含有 Excel 不会写入的内容" in message


def test_too_many_entries_are_refused(settings):
    message, elapsed = refused(rebuilt(extra_entries=settings.IMPORT_MAX_ZIP_ENTRIES))
    assert elapsed < 0.5
    assert "超过上限 100 个" in message


def test_the_unpacked_total_has_a_limit_of_its_own(settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 3 * MB
    message, _ = refused(rebuilt(sheet_padding_mb=4))
    assert "文件解压后共 4.0 MB，超过上限 3.0 MB" in message


def test_a_normal_roster_still_imports(cast):
    result = roster.import_members(actor=cast.committee_admin, file=rebuilt(extra_entries=20))
    assert result.ok and result.created == 1
    assert Member.objects.filter(name="陈晓1").exists()


def test_a_long_run_without_markup_is_refused_even_under_the_size_limits():
    message, _ = refused(rebuilt(sheet_padding_mb=2))
    assert "超长标记" in message


def test_the_import_page_shows_the_refusal_in_chinese(cast):
    bomb = rebuilt(sheet_padding_mb=120).getvalue()
    upload = SimpleUploadedFile("名册.xlsx", bomb, content_type=roster.XLSX_CONTENT_TYPE)
    response = cast.client(cast.committee_admin).post(reverse("orgs:member_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件解压后过大" in page and "is-invalid" in page
    assert not Member.objects.filter(name="陈晓1").exists()


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.django_db
def test_reading_a_roster_stops_at_the_row_limit(cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(roster.RosterFileError, match="文件行数超过 3 行"):
        roster.import_members(actor=cast.committee_admin, file=xlsx([person(n) for n in range(1, 6)]))
    assert not Member.objects.filter(name__startswith="陈晓").exists()


@pytest.mark.django_db
def test_reading_a_roster_is_time_boxed(cast, settings):
    settings.IMPORT_MAX_SECONDS = -1  # the deadline has passed before the first row: nothing is read
    with pytest.raises(roster.RosterFileError, match="读取文件超过 -1 秒仍未完成"):
        roster.import_members(actor=cast.committee_admin, file=xlsx([person(1)]))
