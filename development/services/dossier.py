"""The dossier (档案材料): the checklist per stage, marking a document as held with who checked it, and
the dossier's index as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from development import defaults as d
from development.models import DOSSIER, Document, Person, Stage
from development.services.common import add_step, require_branch_write
from orglife import uploads
from orgs.access import Actor
from points.pdf import NOTO_SC_INDEX, FontMissing, find_font

__all__ = ["FontMissing", "checklist", "dossier_pdf", "mark_document", "upload_document"]

# The scans a dossier takes: images (re-encoded, metadata dropped) and PDF or Word files, by content.
SCAN_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

ORDER = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)


@dataclass(frozen=True)
class Line:
    stage: str
    kind: str
    label: str
    held: Document | None


def checklist(person: Person) -> list[Line]:
    """Every document up to the person's stage (all four for a full member), held or not."""
    held = {d.kind: d for d in person.documents.all()}
    reached = ORDER.index(person.stage) + 1 if person.stage in ORDER else len(ORDER)
    lines = []
    for stage in ORDER[:reached]:
        for kind in DOSSIER[stage]:
            lines.append(Line(str(Stage(stage).label), kind, str(Document.Kind(kind).label), held.get(kind)))
    return lines


@transaction.atomic
def mark_document(
    *, actor: Actor | None, person: Person, kind: str, on_paper: bool = True, note: str = ""
) -> Document:
    require_branch_write(actor, person)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": ["材料类别无效"]})
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    doc, _ = Document.objects.update_or_create(
        person=person,
        kind=kind,
        defaults={
            "on_paper": on_paper,
            "note": note.strip(),
            "checked_by_id": actor.pk if authenticated else None,  # type: ignore[union-attr]
            "checked_by_name": actor.get_username() if authenticated else "system",  # type: ignore[union-attr]
            "checked_at": timezone.now(),
        },
    )
    add_step(
        actor=actor,
        person=person,
        action=f"核对档案材料：{doc.get_kind_display()}",
        on=timezone.localdate(),
        note=note.strip(),
    )
    return doc


def clean_scan(upload: Any) -> uploads.CleanFile:
    """The upload checked by its bytes (never its name) and size, entirely in memory: nothing is stored
    unless it passes."""
    limit = int(d.setting("UPLOAD_MAX_MB")) * 1024 * 1024
    name = str(getattr(upload, "name", "") or "未命名")[:200]
    size = getattr(upload, "size", None)
    if upload is None:
        raise ValidationError({"file": ["请选择要上传的扫描件"]})
    if size is not None and size > limit:
        raise ValidationError({"file": [f"“{name}”超过{d.setting('UPLOAD_MAX_MB')}MB，请压缩后再上传"]})
    head = upload.read(16)
    upload.seek(0)
    try:
        if uploads.sniff(head) in ("jpeg", "png", "webp"):
            return uploads.clean_photo(upload)
        clean = uploads.clean_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if clean.content_type not in SCAN_TYPES or len(clean.content) > limit:
        raise ValidationError(
            {
                "file": [
                    f"“{name}”不是支持的扫描件（仅 JPG、PNG、WebP 图片，PDF 或 Word .docx；按文件内容识别）"
                ]
            }
        )
    return clean


@transaction.atomic
def upload_document(
    *, actor: Actor | None, person: Person, kind: str, upload: Any, note: str = ""
) -> Document:
    """Attach the scan of a dossier document (it is then held electronically, checked by the uploader).
    The file is validated before anything is written; if saving the row fails the stored file is
    removed, and a replaced scan is removed only once the new one is committed."""
    require_branch_write(actor, person)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": ["材料类别无效"]})
    clean = clean_scan(upload)
    previous = Document.objects.filter(person=person, kind=kind).values_list("file", flat=True).first()
    stored = default_storage.save(
        f"development/{uploads.random_name(clean.extension)}", ContentFile(clean.content)
    )
    try:
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        doc, _ = Document.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={
                "on_paper": False,
                "note": note.strip(),
                "checked_by_id": actor.pk if authenticated else None,  # type: ignore[union-attr]
                "checked_by_name": actor.get_username() if authenticated else "system",  # type: ignore[union-attr]
                "checked_at": timezone.now(),
                "file": stored,
                "original_name": clean.original_name,
                "content_type": clean.content_type,
                "size": len(clean.content),
            },
        )
        add_step(
            actor=actor,
            person=person,
            action=f"上传档案材料：{doc.get_kind_display()}",
            on=timezone.localdate(),
            note=clean.original_name,
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    # The replaced scan goes only once the new row is committed (a rollback keeps the old one usable).
    transaction.on_commit(lambda: _drop(previous), robust=True)
    return doc


def _drop(name: str | None) -> None:
    if name:
        default_storage.delete(name)


def dossier_pdf(person: Person) -> bytes:
    """The dossier's index: each document of the checklist, held or missing, with who checked it."""
    font = find_font()
    doc = FPDF(format="A4")
    index = NOTO_SC_INDEX if "NotoS" in font.name and font.suffix == ".ttc" else 0
    doc.add_font("cjk", "", str(font), collection_font_number=index)
    doc.add_font("cjk", "B", str(font), collection_font_number=index)
    doc.set_title(f"{person.name} 入党材料目录")
    doc.add_page()
    doc.set_font("cjk", size=16)
    doc.cell(0, 10, "发展党员档案材料目录", new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_font("cjk", size=10)
    doc.multi_cell(
        0,
        6,
        f"姓名：{person.name}　　党支部：{person.org.name}　　阶段：{person.get_stage_display()}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(2)
    with doc.table(col_widths=(12, 28, 70, 30, 50), line_height=6) as table:
        table.row(["序号", "阶段", "材料", "状态", "核对"])
        for n, line in enumerate(checklist(person), start=1):
            held = line.held
            state = ("纸质存档" if held.on_paper else "已存档") if held else "缺"
            who = f"{held.checked_by_name} {timezone.localtime(held.checked_at):%Y-%m-%d}" if held else ""
            table.row([str(n), line.stage, line.label, state, who])
    return bytes(doc.output())
