"""The onboarding wizard: a county's organizations, members and posts files imported as one.

The department admin uploads up to three files (kept SM4-encrypted on the batch), maps any header we do
not know to one of our columns (remembered for the county), and has the batch checked: all three files are
imported in dependency order (the tree, then members, then posts) inside one transaction that is rolled
back, so the preview shows exactly what an import would do, with every row's errors. Importing runs the same
thing and commits only if no file has an error. Both run as a task (orgs.tasks.run_onboarding_task); the page
polls the batch's progress.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import personal
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import Actor, role_paths
from orgs.models import ColumnMapping, OnboardingBatch, Organization
from orgs.roles import Role
from orgs.services import positions_file, roster, tree_file
from orgs.services.roster import RosterFileError, SheetLayout, check_xlsx, header_text
from personal.files import open_private

log = logging.getLogger(__name__)
Sheet = ColumnMapping.Sheet
ZIP_MAGIC = b"PK\x03\x04"
SHOWN = 500  # errors and changes kept per file in a batch's report

LAYOUTS: dict[str, SheetLayout] = {
    Sheet.ORGANIZATIONS: tree_file.LAYOUT,
    Sheet.MEMBERS: roster.ROSTER_LAYOUT,
    Sheet.POSITIONS: positions_file.LAYOUT,
}
ORDER = (Sheet.ORGANIZATIONS, Sheet.MEMBERS, Sheet.POSITIONS)  # parents before children, people before posts
_ONBOARDERS = frozenset({Role.DEPT_ADMIN})


def county_of(actor: Actor) -> Organization | None:
    """The node the actor onboards: where they are 组织部管理员 (a superuser: the first root)."""
    paths = role_paths(actor, _ONBOARDERS)
    if paths is None:
        return Organization.objects.filter(parent__isnull=True).order_by("path").first()
    return Organization.objects.filter(path__in=paths).order_by("path").first()


def require_onboarder(actor: Actor) -> Organization:
    county = county_of(actor)
    if county is None:
        raise PermissionDenied("只有组织部管理员可以导入全县数据")
    return county


def _check_upload(name: str, data: bytes) -> None:
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise RosterFileError(f"文件“{name}”超过 {settings.IMPORT_MAX_BYTES // 1024 // 1024} MB")
    if not name.lower().endswith(".xlsx") or not data.startswith(ZIP_MAGIC):
        raise RosterFileError(f"文件“{name}”不是 .xlsx 文件（不支持 .xls、.csv 等格式）")
    check_xlsx(io.BytesIO(data))  # zip bombs and oversized parts are refused before any parser sees them


@transaction.atomic
def create_batch(*, actor: Actor, files: dict[str, tuple[str, bytes]]) -> OnboardingBatch:
    """A new batch from uploaded files ({sheet: (file name, bytes)}), each checked and stored encrypted."""
    county = require_onboarder(actor)
    if not files:
        raise RosterFileError("请至少上传一个文件")
    batch = OnboardingBatch(org=county, created_by_id=actor.pk)
    for sheet, (name, data) in files.items():
        _check_upload(name, data)
        setattr(batch, f"{sheet}_file", personal.encrypt_bytes(data))
        setattr(batch, f"{sheet}_file_name", name[:200])
    remembered: dict[str, dict[str, str]] = {}
    for m in ColumnMapping.objects.filter(org=county):
        remembered.setdefault(m.sheet, {})[m.header] = m.column
    batch.mapping = remembered
    batch.save()
    record_event(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=batch,
        org=county,
        summary={sheet: name for sheet, (name, _) in files.items()},
    )
    return batch


def file_of(batch: OnboardingBatch, sheet: str) -> bytes | None:
    sealed = bytes(getattr(batch, f"{sheet}_file") or b"")
    return personal.decrypt_bytes(sealed) if sealed else None


@dataclass
class SheetColumns:
    """One uploaded file's header row against our columns, for the mapping step."""

    sheet: str
    label: str
    file_name: str
    headers: list[tuple[str, str]]  # (the file's header, our column key or "")
    missing: list[str]  # our required columns the file does not have yet
    choices: list[tuple[str, str]]  # (column key, our header)

    @property
    def ready(self) -> bool:
        return not self.missing


def sheet_columns(batch: OnboardingBatch) -> list[SheetColumns]:
    out = []
    for sheet in ORDER:
        data = file_of(batch, sheet)
        if data is None:
            continue
        layout = LAYOUTS[sheet].with_mapping(batch.mapping.get(sheet))
        headers = [h for h in roster.read_header(io.BytesIO(data)) if h]
        found = [(h, layout.headers.get(header_text(h), "")) for h in headers]
        keys = {k for _, k in found if k}
        missing = [layout.labels[k] for k in layout.identifying if k not in keys]
        missing += [layout.labels[any_of[0]] for any_of in layout.required if not set(any_of) & keys]
        choices = [(k, label) for k, label in layout.labels.items() if k != "seq"]
        label = str(Sheet(sheet).label)
        out.append(SheetColumns(sheet, label, getattr(batch, f"{sheet}_file_name"), found, missing, choices))
    return out


@transaction.atomic
def save_mapping(*, actor: Actor, batch: OnboardingBatch, sheet: str, mapping: dict[str, str]) -> None:
    """The county's headers for this file ({header: column key}), on the batch and remembered for the county."""
    _require_owner(actor, batch)
    layout = LAYOUTS[sheet]
    chosen = {h.strip(): k for h, k in mapping.items() if h.strip() and k in layout.labels}
    batch.mapping = {**batch.mapping, sheet: {**batch.mapping.get(sheet, {}), **chosen}}
    batch.status = OnboardingBatch.Status.UPLOADED
    batch.save(update_fields=["mapping", "status", "updated_at"])
    for header, column in chosen.items():
        ColumnMapping.objects.update_or_create(
            org=batch.org, sheet=sheet, header=header[:100], defaults={"column": column}
        )


def _require_owner(actor: Actor, batch: OnboardingBatch) -> None:
    county = require_onboarder(actor)
    if not batch.org.path.startswith(county.path):
        raise PermissionDenied("您无权操作该导入批次")
    if batch.is_running:
        raise PermissionDenied("该批次正在处理，请稍候")


def start(*, actor: Actor, batch: OnboardingBatch, apply: bool) -> None:
    """Queue the check (apply False) or the import of a batch; the task runs after this commits."""
    from orgs.tasks import run_onboarding_task  # orgs.tasks imports this module

    _require_owner(actor, batch)
    if apply and batch.status != OnboardingBatch.Status.CHECKED:
        raise PermissionDenied("请先校验，确认无误后再导入")
    batch.status = OnboardingBatch.Status.IMPORTING if apply else OnboardingBatch.Status.CHECKING
    batch.progress, batch.stage = 0, "排队等待"
    batch.save(update_fields=["status", "progress", "stage", "updated_at"])
    _write_progress(batch.pk, 0, "排队等待")
    transaction.on_commit(lambda: run_onboarding_task.enqueue(batch.pk, apply))


# ---------------------------------------------------------------- the run (inside the task)

# Progress lives in a small file beside the database: the run's own writes are one transaction, which
# no other process sees until it commits. (On several machines the page falls back to the batch's status.)


def _progress_path(batch_id: int) -> Path:
    return Path(settings.VAR_DIR) / "onboarding" / f"{batch_id}.json"


def _write_progress(batch_id: int, percent: int, stage: str) -> None:
    with open_private(_progress_path(batch_id), "w", encoding="utf-8") as out:
        json.dump({"progress": percent, "stage": stage}, out, ensure_ascii=False)


def read_progress(batch: OnboardingBatch) -> tuple[int, str]:
    try:
        data = json.loads(_progress_path(batch.pk).read_text(encoding="utf-8"))
        return int(data["progress"]), str(data["stage"])
    except (OSError, ValueError, KeyError, TypeError):
        return batch.progress, batch.stage


class _RollBack(Exception):
    pass


def _summary(result: Any) -> dict[str, Any]:
    out = {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "error_count": len(result.errors),
        "errors": [[e.row, e.column, e.message] for e in result.errors[:SHOWN]],
    }
    changes = getattr(result, "changes", None)
    if changes:
        out["changes"] = [
            {"row": c.row, "code": c.code, "name": c.name, "created": c.created, "fields": c.fields}
            for c in changes[:SHOWN]
        ]
    return out


Importer = Callable[..., Any]
_IMPORTERS: dict[str, tuple[str, Importer]] = {
    Sheet.ORGANIZATIONS: ("导入党组织", lambda **kw: tree_file.import_tree(findings=False, **kw)),
    Sheet.MEMBERS: ("导入党员", roster.import_members),
    Sheet.POSITIONS: ("导入职务", positions_file.import_positions),
}


def _row_progress(batch_id: int, stage: str, index: int, count: int) -> Callable[[int, int], None]:
    """Progress within one file: its share of the bar (5 … 90 %) filled by the rows validated so far."""
    start, end = 5 + 85 * index // count, 5 + 85 * (index + 1) // count

    def report(done: int, total: int) -> None:
        percent = start + (end - start) * done // max(total, 1)
        _write_progress(batch_id, percent, f"{stage}（{index + 1}/{count}）：已检查{done}/{total}行")

    return report


def run(batch_id: int, *, apply: bool) -> OnboardingBatch:
    """Check or import a batch: every file in dependency order in one transaction, committed only when
    importing and no file has an error. The report says per file what was (or would be) done."""
    batch = OnboardingBatch.objects.select_related("org", "created_by").get(pk=batch_id)
    if batch.status == OnboardingBatch.Status.DONE:
        return batch  # a task run twice imports once
    actor = batch.created_by
    report: dict[str, Any] = {"apply": apply, "files": {}}
    sheets = [s for s in ORDER if getattr(batch, f"{s}_file")]
    ok = True
    try:
        with transaction.atomic():
            for index, sheet in enumerate(sheets):
                stage, importer = _IMPORTERS[sheet]
                _write_progress(
                    batch.pk, 5 + 85 * index // len(sheets), f"{stage}（{index + 1}/{len(sheets)}）"
                )
                data = file_of(batch, sheet)
                assert data is not None
                extra: dict[str, Any] = {}
                if sheet == Sheet.MEMBERS:  # the long file at a city's scale: report its rows as they go
                    extra["progress"] = _row_progress(batch.pk, stage, index, len(sheets))
                try:
                    result = importer(
                        actor=actor,
                        file=io.BytesIO(data),
                        file_name=getattr(batch, f"{sheet}_file_name"),
                        mapping=batch.mapping.get(sheet),
                        **extra,
                    )
                except RosterFileError as exc:
                    report["files"][sheet] = {"file_error": str(exc)}
                    ok = False
                    break
                report["files"][sheet] = _summary(result)
                if result.errors:
                    ok = False
                    break  # the next file depends on this one: its errors would only echo these
            if ok:
                _write_progress(batch.pk, 92, "结构检查")
                report["findings"] = [
                    {"id": org.pk, "code": org.code, "name": org.name, "warnings": [w.message for w in found]}
                    for org, found in tree_file.import_findings(batch.org, [])[:SHOWN]
                ]
            if not (ok and apply):
                raise _RollBack
    except _RollBack:
        pass
    except PermissionDenied as exc:
        ok = False
        report["error"] = str(exc)
    except Exception:
        log.exception("onboarding batch %s failed", batch_id)
        ok = False
        report["error"] = "处理过程中出现意外错误，未导入任何数据。请联系系统管理员查看日志。"
    report["ok"] = ok
    done = ok and apply
    batch.report = report
    batch.progress, batch.stage = 100, "完成"
    now = timezone.now()
    fields = ["report", "progress", "stage", "status", "imported_at", "checked_at", "updated_at"]
    if done:
        batch.status, batch.imported_at = OnboardingBatch.Status.DONE, now
        # Imported: the files' personal data now lives in the members' encrypted fields only.
        batch.orgs_file = batch.members_file = batch.positions_file = b""
        fields += ["orgs_file", "members_file", "positions_file"]
    elif ok:
        batch.status, batch.checked_at = OnboardingBatch.Status.CHECKED, now
    else:
        batch.status = OnboardingBatch.Status.FAILED
    batch.save(update_fields=fields)
    _write_progress(batch.pk, 100, "完成")
    return batch
