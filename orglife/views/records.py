"""纪实 pages: list, detail, create/edit (drafts), submit, approve/return, amend, and the photo view.

Thin views: parse, fetch through orgs.access.get_for_user, call orglife.services.records, respond.
Photos and attachments are served only here, after the record's access check (never from MEDIA_URL).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.webguard import allow_device_copy
from orglife.filters.records import RecordFilter
from orglife.forms.records import AmendForm, RecordForm, ReturnForm
from orglife.models import Attendance, MeetingRecord, RecordAttachment
from orglife.rules import voting_eligible_count
from orglife.services import records as svc
from orgs.access import covers, get_for_user, require_tree
from orgs.forms import add_service_errors, style_filter_form
from orgs.models import Organization


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _locked(request: HttpRequest, record: MeetingRecord, exc: svc.RecordLocked) -> HttpResponse:
    context = {"record": record, "message": exc.message}
    return render(request, "orglife/records/locked.html", context, status=409)


def _record(request: HttpRequest, pk: int, *, write: bool = False) -> MeetingRecord:
    qs = MeetingRecord.objects.select_related("org", "group", "plan_item", "approved_by", "submitted_by")
    return get_for_user(qs, _user(request), pk, write=write)


def _creatable_branches(user: User) -> list[Organization]:
    visible = Organization.objects.visible_to(user, write=True).filter(kind__in=svc.LIFE_KINDS)
    return [o for o in visible.order_by("path")[:200] if svc.can_create(user, o)]


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    base = MeetingRecord.objects.visible_to(_user(request)).select_related("org", "group")
    filterset = RecordFilter(request.GET, queryset=base)
    style_filter_form(filterset.form)
    filterset.form.fields["month"].widget.input_type = "month"  # type: ignore[attr-defined]
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    selected = None
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        selected = Organization.objects.visible_to(_user(request)).filter(pk=org_id).first()
    can_create = (
        bool(_creatable_branches(_user(request)))
        if selected is None
        else svc.can_create(_user(request), selected)
    )
    context = {"filter": filterset, "page": page, "selected": selected, "can_create": can_create}
    return render(request, "orglife/records/list.html", context)


def _form_page(
    request: HttpRequest,
    form: RecordForm,
    record: MeetingRecord | None,
    org: Organization,
    template: str = "orglife/records/form.html",
) -> HttpResponse:
    reload_url = request.path if record is not None else f"{request.path}?org={org.pk}"
    for name in ("meeting_type", "group"):
        form.fields[name].widget.attrs.update(
            {
                "hx-get": reload_url,
                "hx-trigger": "change",
                "hx-include": "closest form",
                # Only the attendance list depends on the type and 党小组: text typed elsewhere stays put.
                "hx-target": "#xf-record-roster",
                "hx-select": "#xf-record-roster",
                "hx-swap": "outerHTML",
            }
        )
    returned = record.events.filter(action="returned").last() if record is not None else None
    context = {
        "form": form,
        "record": record,
        "org": org,
        "rows": form.attendance_rows(),
        "eligible": voting_eligible_count(org),  # today; the stored record counts on its meeting day
        "return_reason": returned.reason if returned and record and record.status == "returned" else "",
    }
    return render(request, template, context)


def _htmx_initial(request: HttpRequest) -> dict[str, Any] | None:
    """An htmx reload after the meeting type or 党小组 changed: rebuild the form from the values so far.
    A plain GET naming a plan item (the secretary's home) starts from that item."""
    if request.method != "GET":
        return None
    if request.headers.get("HX-Request"):
        return {k: v for k, v in request.GET.items() if k != "org"}
    plan_item = request.GET.get("plan_item", "")
    return {"plan_item": int(plan_item)} if plan_item.isdigit() else None


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    org_id = request.GET.get("org", "")
    if not org_id.isdigit():
        branches = _creatable_branches(_user(request))
        if not branches:
            raise PermissionDenied("只有支部书记或支部管理员可以登记纪实")
        if len(branches) == 1:
            return redirect(f"{request.path}?org={branches[0].pk}")
        return render(request, "orglife/records/choose_branch.html", {"branches": branches})
    org = get_for_user(Organization.objects.all(), _user(request), org_id, write=True)
    if not svc.can_create(_user(request), org):
        raise PermissionDenied("只有支部书记或支部管理员可以登记纪实")
    form = RecordForm(request.POST or None, request.FILES or None, org=org, initial=_htmx_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            record = svc.create_record(
                actor=_user(request),
                org=org,
                data=form.to_data(),
                photos=form.cleaned_data["photos"],
                files=form.cleaned_data["attachments"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if getattr(record, "replayed", False):
                messages.info(request, "这份纪实已经提交过，未重复保存")
                return redirect("orglife:record_detail", pk=record.pk)
            return _after_save(request, record, "已保存纪实草稿")
    response = _form_page(request, form, None, org)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        # Shown from the worker's copy at once (and offline); the fresh page's CSRF token and plan items
        # replace the copy's before anything is sent (static/js/xianfeng.js, outbox.js).
        allow_device_copy(response)
    return response


def _after_save(request: HttpRequest, record: MeetingRecord, text: str) -> HttpResponse:
    """“保存并提交” submits right away; a submission problem leaves the draft saved and says why."""
    for check in svc.record_checks(record):
        if not check.ok:
            messages.warning(request, check.text)
    if request.POST.get("then") == "submit":
        try:
            svc.submit_record(actor=_user(request), record=record)
        except ValidationError as exc:
            messages.warning(request, "已保存为草稿，但未能提交：" + "；".join(exc.messages))
        else:
            messages.success(request, "已提交，等待支部书记审核")
    else:
        messages.success(request, text)
    return redirect("orglife:record_detail", pk=record.pk)


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    user = _user(request)
    attachments = list(record.attachments.select_related("reused_from__record__org"))
    visible_ids = set(
        MeetingRecord.objects.visible_to(user)
        .filter(pk__in=[a.reused_from.record_id for a in attachments if a.reused_from])
        .values_list("pk", flat=True)
    )
    editable = record.status in svc.EDITABLE and svc.can_create(user, record.org)
    context = {
        "record": record,
        "photos": [a for a in attachments if a.kind == RecordAttachment.Kind.PHOTO],
        "files": [a for a in attachments if a.kind == RecordAttachment.Kind.FILE],
        "visible_reuse_ids": visible_ids,
        "summary": svc.attendance_summary(record),
        "attendance": record.attendance.select_related("member").order_by("status", "member_id"),
        "checks": svc.record_checks(record),
        "events": _events(record),
        "can_edit": editable,
        "can_review": svc.can_review(user, record),
        "can_amend": record.status == MeetingRecord.Status.APPROVED and svc.can_approve(user, record.org),
        "can_write": covers(user, record.org.path, write=True),
        "return_form": ReturnForm(),
        "max_photos": 9,
    }
    return render(request, "orglife/records/detail.html", context)


LABELS = {
    "meeting_type": "会议类型",
    "group_id": "党小组",
    "plan_item_id": "对应计划",
    "topic": "主题",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "place": "地点",
    "host_name": "主持人",
    "recorder_name": "记录人",
    "lecturer_name": "党课主讲人",
    "agenda": "议程",
    "content": "会议内容",
    "decisions": "决议事项",
    "vote_subject": "表决事项",
    "votes_yes": "赞成",
    "votes_no": "反对",
    "votes_abstain": "弃权",
}
STATUS_LABELS = dict(Attendance.Status.choices)


def _events(record: MeetingRecord) -> list[Any]:
    """History rows with the changed fields named in Chinese, for the page."""
    events = list(record.events.select_related("actor"))
    for e in events:
        changed = e.payload.get("changed", {}) if isinstance(e.payload, dict) else {}
        e.changes = [(LABELS.get(k, k), before, after) for k, (before, after) in changed.items()]  # type: ignore[attr-defined]
        att = e.payload.get("attendance", {}) if isinstance(e.payload, dict) else {}
        e.changes += [  # type: ignore[attr-defined]
            (name, STATUS_LABELS.get(b, b or "—"), STATUS_LABELS.get(a, a)) for name, (b, a) in att.items()
        ]
    return events


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk, write=True)
    if record.status not in svc.EDITABLE:
        return _locked(
            request,
            record,
            svc.RecordLocked() if record.is_locked else svc.RecordLocked("该纪实正在审核中，不能修改"),
        )
    if not svc.can_create(_user(request), record.org):
        raise PermissionDenied("只有支部书记或支部管理员可以修改纪实")
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        org=record.org,
        record=record,
        initial=_htmx_initial(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.update_record(actor=_user(request), record=record, data=form.to_data())
            if form.cleaned_data["photos"] or form.cleaned_data["attachments"]:
                svc.add_attachments(
                    actor=_user(request),
                    record=record,
                    photos=form.cleaned_data["photos"],
                    files=form.cleaned_data["attachments"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except svc.RecordLocked as exc:
            return _locked(request, record, exc)
        else:
            return _after_save(request, record, "已保存")
    return _form_page(request, form, record, record.org)


@login_required
def record_amend(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk, write=True)
    if record.status != MeetingRecord.Status.APPROVED:
        return _locked(request, record, svc.RecordLocked("只有已审核的纪实需要更正；未审核的纪实请直接修改"))
    if not svc.can_approve(_user(request), record.org):
        raise PermissionDenied("只有支部书记或上级党(工)委可以更正已审核的纪实")
    roster = svc.recorded_roster(record)
    form = AmendForm(request.POST or None, org=record.org, record=record, roster=roster)
    if request.method == "POST" and form.is_valid():
        try:
            svc.amend_record(
                actor=_user(request), record=record, data=form.to_data(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except svc.RecordLocked as exc:
            return _locked(request, record, exc)
        else:
            messages.success(request, "已更正，更正记录已留存")
            return redirect("orglife:record_detail", pk=record.pk)
    return _form_page(request, form, record, record.org, "orglife/records/amend.html")


def _action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    record = _record(request, pk, write=True)
    try:
        run(record)
    except svc.RecordLocked as exc:
        return _locked(request, record, exc)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("orglife:record_detail", pk=record.pk)


@login_required
@require_POST
def record_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda r: svc.submit_record(actor=_user(request), record=r), "已提交审核")


@login_required
@require_POST
def record_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record: MeetingRecord) -> None:
        done = svc.approve_record(actor=_user(request), record=record)
        if done.status == MeetingRecord.Status.AWAITING_COMMITTEE:
            messages.info(request, "补录纪实：已转上级党(工)委审核")

    return _action(request, pk, run, "已审核")


@login_required
@require_POST
def record_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    reason = form.data.get("reason", "")
    return _action(
        request, pk, lambda r: svc.return_record(actor=_user(request), record=r, reason=reason), "已退回"
    )


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    photos, files = request.FILES.getlist("photos"), request.FILES.getlist("attachments")
    return _action(
        request,
        pk,
        lambda r: svc.add_attachments(actor=_user(request), record=r, photos=photos, files=files),
        "已上传",
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    record = _record(request, pk, write=True)
    attachment = record.attachments.filter(pk=att).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return _action(
        request, pk, lambda r: svc.remove_attachment(actor=_user(request), attachment=attachment), "已删除"
    )


@login_required
def attachment_file(request: HttpRequest, pk: int, att: int) -> FileResponse:
    """Stream a photo or attachment after the record's access check; private cache only."""
    record = _record(request, pk)
    attachment = record.attachments.filter(pk=att).first()
    if attachment is None:
        raise Http404("未找到该附件")
    name = attachment.file.name or ""
    content_type = attachment.content_type
    if request.GET.get("thumb") and attachment.kind == RecordAttachment.Kind.PHOTO:
        thumb = svc.thumbnail_path(attachment)
        if default_storage.exists(thumb):
            name, content_type = thumb, "image/jpeg"
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    inline = attachment.kind == RecordAttachment.Kind.PHOTO or content_type == "application/pdf"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=attachment.original_name
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response


urlpatterns = [
    path("", record_list, name="record_list"),
    path("new/", record_create, name="record_create"),
    path("<int:pk>/", record_detail, name="record_detail"),
    path("<int:pk>/edit/", record_edit, name="record_edit"),
    path("<int:pk>/amend/", record_amend, name="record_amend"),
    path("<int:pk>/submit/", record_submit, name="record_submit"),
    path("<int:pk>/approve/", record_approve, name="record_approve"),
    path("<int:pk>/return/", record_return, name="record_return"),
    path("<int:pk>/attachments/", attachment_add, name="record_attachment_add"),
    path("<int:pk>/attachments/<int:att>/", attachment_file, name="record_attachment"),
    path("<int:pk>/attachments/<int:att>/delete/", attachment_delete, name="record_attachment_delete"),
]
