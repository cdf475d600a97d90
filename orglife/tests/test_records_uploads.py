"""Photos and attachments: type from the bytes, size and pixel limits, EXIF stripped, reuse found across branches."""

import datetime as dt
import io
import struct
import zipfile
import zlib

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from orglife import uploads
from orglife.services import records as svc
from orglife.tests.records_fixtures import (
    branch_admin,
    draft,
    jpeg_bytes,
    photo,
    picture,
    run_photo_checks,
    upload,
)

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0132] = "2026:10:15 09:00:00"  # DateTime
    exif[0x8825] = {1: "N", 2: (30.0, 9.0, 0.0)}  # GPS IFD
    return exif.tobytes()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring huge dimensions with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return out.getvalue()


def test_a_text_file_renamed_to_jpg_is_refused():
    with pytest.raises(ValidationError) as exc:
        uploads.clean_photo(upload(b"just some text, not a picture" * 10, "photo.jpg"))
    assert "不是照片" in str(exc.value)


def test_a_pdf_renamed_to_jpg_is_not_a_photo_and_a_jpeg_renamed_to_pdf_is_not_an_attachment():
    with pytest.raises(ValidationError):
        uploads.clean_photo(upload(b"%PDF-1.7\n" + b"0" * 100, "photo.jpg"))
    with pytest.raises(ValidationError):
        uploads.clean_attachment(upload(jpeg_bytes(), "minutes.pdf", "application/pdf"))


def test_a_renamed_tiff_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="TIFF")
    with pytest.raises(ValidationError):
        uploads.clean_photo(upload(out.getvalue(), "photo.jpg", "image/jpeg"))


def test_a_polyglot_keeps_only_its_pixels():
    """A real JPEG with an HTML page and a ZIP appended: re-encoding keeps the picture and drops the rest."""
    payload = b"<html><script>alert('xss')</script></html>" + office("word/document.xml")
    clean = uploads.clean_photo(upload(jpeg_bytes() + payload, "photo.jpg"))
    assert b"<script>" not in clean.content and b"PK\x03\x04" not in clean.content
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ValidationError) as exc:
        uploads.clean_photo(upload(jpeg_bytes()[:200]))
    assert "无法识别" in str(exc.value)


def test_exif_and_gps_are_stripped_from_a_jpeg():
    raw = jpeg_bytes(exif=exif_with_gps())
    assert b"SpyCam Maker" in raw and Image.open(io.BytesIO(raw)).getexif()
    clean = uploads.clean_photo(upload(raw))
    assert b"SpyCam Maker" not in clean.content and b"Exif" not in clean.content
    stored = Image.open(io.BytesIO(clean.content))
    assert stored.format == "JPEG" and not stored.getexif() and stored.size == (320, 240)


def test_an_oversized_photo_is_refused(settings):
    settings.ORGLIFE_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        uploads.clean_photo(photo())
    assert "超过" in str(exc.value)


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ValidationError) as exc:
        uploads.clean_photo(upload(png_header_only(100_000, 100_000), "bomb.png", "image/png"))
    assert "像素过大" in str(exc.value)


def test_a_picture_over_the_pixel_setting_is_refused(settings):
    settings.ORGLIFE_PHOTO_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as exc:
        uploads.clean_photo(photo())
    assert "像素过大" in str(exc.value)


def test_a_transparent_png_becomes_a_plain_jpeg():
    out = io.BytesIO()
    picture(3).convert("RGBA").save(out, "PNG")
    clean = uploads.clean_photo(upload(out.getvalue(), "a.png", "image/png"))
    assert clean.content_type == "image/jpeg" and clean.content.startswith(b"\xff\xd8") and clean.thumbnail


def test_pdf_docx_and_xlsx_are_accepted_and_other_zips_are_not():
    assert uploads.clean_attachment(upload(b"%PDF-1.7\n%%EOF", "a.pdf")).extension == "pdf"
    assert uploads.clean_attachment(upload(office("word/document.xml"), "a.docx")).extension == "docx"
    assert uploads.clean_attachment(upload(office("xl/workbook.xml"), "a.xlsx")).extension == "xlsx"
    with pytest.raises(ValidationError):
        uploads.clean_attachment(upload(office("evil/payload.bin"), "a.docx"))


def test_stored_names_are_random_and_the_original_name_is_only_a_column(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=0)
    svc.add_attachments(actor=cast.secretary, record=record, photos=[photo(1, "../../etc/passwd.jpg")])
    att = record.attachments.get()
    assert att.original_name == "passwd.jpg"  # Django drops the directories; the stored name is ours
    assert "passwd" not in att.file.name and att.file.name == f"orglife/{att.stored_name}"
    assert len(att.stored_name) == 36 and att.stored_name.endswith(".jpg")


def test_at_most_nine_photos(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=8)
    with pytest.raises(ValidationError):
        svc.add_attachments(actor=cast.secretary, record=record, photos=[photo(20), photo(21)])
    svc.add_attachments(actor=cast.secretary, record=record, photos=[photo(20)])
    assert record.attachments.count() == 9


def test_one_bad_file_stores_nothing(cast):
    record = draft(cast.secretary, cast.branch_a1, photos=0)
    with pytest.raises(ValidationError):
        svc.add_attachments(
            actor=cast.secretary, record=record, photos=[photo(1), upload(b"nope" * 30, "x.jpg")]
        )
    assert not record.attachments.exists()


def test_a_photo_reused_in_another_branch_flags_both_records(cast):
    first = draft(cast.secretary, cast.branch_a1, seed=5)
    again = draft(cast.outsider, cast.branch_b1, photos=0)
    svc.add_attachments(
        actor=cast.outsider, record=again, photos=[upload(jpeg_bytes(5, quality=60), "新照片.jpg")]
    )
    assert again.photo_check == "pending"  # the caller's record says the check is still to come
    run_photo_checks()
    again.refresh_from_db()
    reused = again.attachments.get()
    assert again.photo_reused and reused.reused_from == first.attachments.get()
    first.refresh_from_db()
    assert first.photo_reused  # the patrol sees the pair from either side
    html = cast.client(cast.outsider).get(reverse("orglife:record_detail", args=[again.pk])).content.decode()
    assert "照片疑似重复" in html and "与其他支部纪实照片相同" in html and "县财政局" not in html
    html = (
        cast.client(cast.dept_admin).get(reverse("orglife:record_detail", args=[again.pk])).content.decode()
    )
    assert reverse("orglife:record_detail", args=[first.pk]) in html


def test_a_different_photo_is_not_flagged_and_removing_the_reused_one_clears_the_flag(cast):
    draft(cast.secretary, cast.branch_a1, seed=5)
    admin = branch_admin(cast.branch_a2)
    record = draft(admin, cast.branch_a2, seed=7)
    record.refresh_from_db()
    assert not record.photo_reused
    svc.add_attachments(actor=admin, record=record, photos=[photo(5)])
    run_photo_checks()
    record.refresh_from_db()
    assert record.photo_reused
    svc.remove_attachment(actor=admin, attachment=record.attachments.get(reused_from__isnull=False))
    record.refresh_from_db()
    assert not record.photo_reused and record.attachments.count() == 1
