"""Photos and attachments of meeting records: type sniffed from the bytes, size-limited, images re-encoded.

An uploaded image is decoded and written again as a plain JPEG: only pixel data survives (no EXIF, GPS,
comments or trailing payloads). Whether a photo was reused is decided when it is stored
(orglife.photomatch, orglife.services.photo_checks).
"""

from __future__ import annotations

import io
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

# Pillow refuses images above this many pixels with DecompressionBombError (a bomb guard for every decode).
Image.MAX_IMAGE_PIXELS = int(getattr(settings, "ORGLIFE_PHOTO_MAX_PIXELS", 40_000_000))

MAX_PHOTOS = 9
PHOTO_LONG_SIDE = (
    2560  # phone photos are stored at most this size; enough to read a banner or a sign-in sheet
)
THUMB_SIDE = 360

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Slides are not meeting-record attachments, but other apps check them by content with the same code.
DOCUMENT_TYPES = {
    **FILE_TYPES,
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def photo_max_bytes() -> int:
    return int(getattr(settings, "ORGLIFE_PHOTO_MAX_BYTES", 15 * 1024 * 1024))


def file_max_bytes() -> int:
    return int(getattr(settings, "ORGLIFE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "ORGLIFE_PHOTO_MAX_PIXELS", 40_000_000))


@dataclass
class CleanFile:
    """A validated upload, ready to store under a random name."""

    kind: str  # RecordAttachment.Kind value
    content: bytes
    content_type: str
    original_name: str
    extension: str
    thumbnail: bytes | None = None


def random_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _read(upload: Any, limit: int, what: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"{what}“{_name(upload)}”超过 {limit // (1024 * 1024)}MB，请压缩后再上传")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"{what}“{_name(upload)}”超过 {limit // (1024 * 1024)}MB，请压缩后再上传")
    if not data:
        raise ValidationError(f"{what}“{_name(upload)}”是空文件")
    return data


def _name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "未命名")[:200]


def sniff(data: bytes) -> str | None:
    """The real type from the first bytes (never from the name): jpeg, png, webp, pdf, zip or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _office_kind(data: bytes) -> str | None:
    """docx, xlsx or pptx by the parts inside the OOXML package (the names are only read, nothing is inflated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return None


def _decode(data: bytes, upload: Any) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in PHOTO_FORMATS:
                raise ValidationError(f"“{_name(upload)}”不是支持的照片格式（JPG、PNG、WebP）")
            width, height = probe.size
            if width * height > max_pixels():
                raise ValidationError(f"“{_name(upload)}”像素过大（{width}×{height}），请缩小后再上传")
            probe.verify()  # structural check; the image must be opened again to decode
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(f"“{_name(upload)}”像素过大，拒绝处理") from None
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's errors for corrupt or truncated files
        raise ValidationError(f"“{_name(upload)}”无法识别为图片：文件已损坏或不是照片") from exc
    return image


def clean_photo(upload: Any) -> CleanFile:
    data = _read(upload, photo_max_bytes(), "照片")
    if sniff(data) not in ("jpeg", "png", "webp"):
        raise ValidationError(
            f"“{_name(upload)}”不是照片（仅支持 JPG、PNG、WebP；按文件内容识别，改扩展名无效）"
        )
    image = _decode(data, upload)
    # Turn the picture upright by its EXIF orientation before the EXIF is dropped.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    image.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
    # A fresh image holding only the pixels: nothing of the original file's metadata can follow.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return CleanFile(
        kind="photo",
        content=out.getvalue(),
        content_type="image/jpeg",
        original_name=_name(upload),
        extension="jpg",
        thumbnail=thumb_out.getvalue(),
    )


def document_kind(data: bytes) -> str | None:
    """pdf, docx, xlsx or pptx by content (the first bytes and the OOXML parts), or None."""
    kind = sniff(data)
    if kind == "zip":
        kind = _office_kind(data)
    return kind if kind in DOCUMENT_TYPES else None


def clean_document(upload: Any, *, kinds: tuple[str, ...], limit: int, what: str, allowed: str) -> CleanFile:
    """A document upload checked by content: at most `limit` bytes and one of `kinds` (keys of DOCUMENT_TYPES);
    `allowed` names them for the refusal message."""
    data = _read(upload, limit, what)
    kind = document_kind(data)
    if kind not in kinds:
        raise ValidationError(
            f"“{_name(upload)}”不是支持的{what}类型（仅 {allowed}；按文件内容识别，改扩展名无效）"
        )
    return CleanFile(
        kind="file",
        content=data,
        content_type=DOCUMENT_TYPES[kind],
        original_name=_name(upload),
        extension=kind,
    )


def clean_attachment(upload: Any) -> CleanFile:
    return clean_document(
        upload,
        kinds=("pdf", "docx", "xlsx"),
        limit=file_max_bytes(),
        what="附件",
        allowed="PDF、Word .docx、Excel .xlsx",
    )
