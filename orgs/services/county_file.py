"""The county's round trip: its tree, members and posts as the wizard's three files, in one sealed archive.

For moving a county between instances. The member file carries full ID numbers and phones (the wizard keys
members by ID number), so the export is an unmasking: it needs the unmask and export permissions and a
reason, is audited as both, and the archive is SM4-GCM under a key derived from a passphrase the exporter
chooses (personal.seal_with_passphrase), so another instance with another master key can open it. Cells
are written through orgs.spreadsheets: formula-like text stays text.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

import personal
from audit.models import AuditEvent
from audit.services import record_event
from orgs import spreadsheets
from orgs.access import Actor
from orgs.models import Member, Organization, Position
from orgs.services import positions_file, roster, tree_file
from orgs.services.onboarding import require_onboarder
from orgs.services.roster import RosterFileError

MIN_PASSPHRASE = 12
FILES = {"orgs": "党组织.xlsx", "members": "党员.xlsx", "positions": "职务.xlsx"}
MAX_ENTRIES = 3


def file_name() -> str:
    return f"先锋迁移包_{timezone.localdate():%Y%m%d}.xfpack"


def _workbook(headers: list[str], rows: Any) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("sheet")
    spreadsheets.append(ws, headers)
    for row in rows:
        spreadsheets.append(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _label(choices: Any, value: Any) -> Any:
    return dict(choices.choices).get(value, value)


def _orgs(county: Organization) -> bytes:
    keys = [key for key, _, _ in tree_file.COLUMNS if key not in ("full_path", "parent_name")]
    headers = [tree_file.HEADERS[k] for k in keys]

    def rows() -> Any:
        for n, org in enumerate(
            Organization.objects.under(county).select_related("parent").order_by("path"), 1
        ):
            values = {f: getattr(org, f) for f in keys if hasattr(org, f)}
            values |= {
                "seq": n,
                "parent_code": org.parent.code if org.parent else "",
                "kind": _label(Organization.Kind, org.kind),
                "unit_category": _label(Organization.UnitCategory, org.unit_category),
                "unit_economic_type": _label(Organization.EconomicType, org.unit_economic_type),
                "enterprise_size": _label(Organization.EnterpriseSize, org.enterprise_size),
                "has_committee": "是" if org.has_committee else "否",
                "contact_phone": personal.decrypt(org.contact_phone_enc),
            }
            yield [values.get(k) for k in keys]

    return _workbook(headers, rows())


def _members(county: Organization) -> tuple[bytes, int]:
    count = 0

    def rows() -> Any:
        nonlocal count
        qs = Member.objects.under(county).select_related("org", "party_group").order_by("org__path", "pk")
        for m in qs.iterator(chunk_size=2000):
            count += 1
            values = {
                "seq": count,
                "name": m.name,
                "gender": m.gender,
                "ethnicity": m.ethnicity,
                "birth_date": m.birth_date,
                "id_number": personal.decrypt(m.id_number_enc),
                "education": _label(Member.Education, m.education),
                "category": _label(Member.Category, m.category),
                "joined_on": m.joined_on,
                "full_member_on": m.full_member_on,
                "org_code": m.org.code,
                "org_name": m.org.name,
                "party_group": m.party_group.code if m.party_group else "",
                "phone": personal.decrypt(m.phone_enc),
                "occupation": m.occupation,
                "status": _label(Member.Status, m.status),
                "is_exempt": "是" if m.is_exempt else "否",
                "exempt_reason": m.exempt_reason,
            }
            yield [values.get(c.key) for c in roster.COLUMNS]

    data = _workbook([c.header for c in roster.COLUMNS], rows())
    return data, count


def _positions(county: Organization) -> bytes:
    def rows() -> Any:
        qs = Position.objects.filter(org__in=Organization.objects.under(county)).select_related(
            "member", "org"
        )
        for n, p in enumerate(qs.order_by("org__path", "pk").iterator(chunk_size=2000), 1):
            yield [
                n,
                p.member.name,
                personal.decrypt(p.member.id_number_enc),
                p.org.code,
                p.org.name,
                p.get_title_display(),
                p.started_on,
                p.ended_on,
            ]

    return _workbook([header for _, header, _ in positions_file.COLUMNS], rows())


def export_county(*, actor: Actor, reason: str, passphrase: str) -> bytes:
    """The whole county (the exporter's 组织部管理员 node) as a sealed archive of the wizard's three files."""
    county = require_onboarder(actor)
    if not (actor.has_perm("orgs.unmask_member") and actor.has_perm("orgs.export_member")):
        raise PermissionDenied("导出迁移包需要“查看完整身份证号和手机号”和“导出党员名册”两项权限")
    errors = {}
    if not reason.strip():
        errors["reason"] = ["请说明导出原因"]
    if len(passphrase) < MIN_PASSPHRASE:
        errors["passphrase"] = [f"口令至少 {MIN_PASSPHRASE} 个字符"]
    if errors:
        raise ValidationError(errors)
    members, count = _members(county)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr(FILES["orgs"], _orgs(county))
        out.writestr(FILES["members"], members)
        if (posts := _positions(county)) is not None:
            out.writestr(FILES["positions"], posts)
    summary = {"reason": reason.strip(), "members": count, "file_name": file_name()}
    record_event(
        actor=actor,
        action=AuditEvent.Action.UNMASK,
        target_repr=f"迁移包 {count} 人",
        org=county,
        summary=summary,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        target_repr=f"导出迁移包 {count} 人",
        org=county,
        summary=summary,
    )
    return personal.seal_with_passphrase(archive.getvalue(), passphrase)


def open_archive(sealed: bytes, passphrase: str) -> dict[str, tuple[str, bytes]]:
    """The wizard's files from a sealed archive ({sheet: (name, bytes)}); RosterFileError in Chinese."""
    try:
        data = personal.open_with_passphrase(sealed, passphrase)
    except personal.WrongPassphrase as exc:
        raise RosterFileError(str(exc)) from None
    names = {name: sheet for sheet, name in FILES.items()}
    out: dict[str, tuple[str, bytes]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or any(e.filename not in names for e in entries):
                raise RosterFileError("迁移包内容不正确")
            for entry in entries:
                if entry.file_size > settings.IMPORT_MAX_BYTES:
                    raise RosterFileError(
                        f"迁移包中的 {entry.filename} 超过 {settings.IMPORT_MAX_BYTES // 1024 // 1024} MB"
                    )
                out[names[entry.filename]] = (entry.filename, archive.read(entry))
    except zipfile.BadZipFile as exc:
        raise RosterFileError("迁移包已损坏") from exc
    return out
