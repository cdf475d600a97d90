"""一人一册: the books a node issued (with export), issuing one, a book's records with the spot checks (a random
sample on request), one person's record (their own notes; the department's results), checking and withdrawing."""

from __future__ import annotations

import random
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from learning.forms import BookForm, CheckForm, NotesForm, WithdrawForm
from learning.models import StudyBook, StudyCheck, StudyRecord
from learning.selectors.books import book_rows
from learning.services import books as svc
from learning.views.common import XLSX, focus_org, page_of, xlsx
from orgs.access import NOT_FOUND, covers, get_for_user, has_any_scope, own_member_id, require_tree, scope_q
from orgs.forms import add_service_errors
from orgs.paths import under_path_q

MAX_SAMPLE = 50


@login_required
def books(request: HttpRequest) -> HttpResponse:
    if not has_any_scope(request.user):
        member_id = own_member_id(request.user)
        if not member_id:
            raise Http404("未找到页面")
        records = StudyRecord.objects.filter(member_id=member_id).select_related("book", "book__org")
        return render(request, "learning/my_books.html", {"records": records})
    org = focus_org(request)
    q = (request.GET.get("q") or "").strip()
    # Issued here or below, or issued above and reaching members here (a branch sees the department's books).
    reaching = StudyRecord.objects.visible_to(request.user).filter(
        under_path_q(org.path, "member__org__path")
    )
    qs = StudyBook.objects.filter(
        Q(
            pk__in=StudyBook.objects.visible_to(request.user)
            .filter(under_path_q(org.path, "org__path"))
            .values("pk")
        )
        | Q(pk__in=reaching.values("book_id"))
    ).select_related("org")
    if q:
        qs = qs.filter(title__contains=q)
    context = {
        "org": org,
        "q": q,
        "page": page_of(request, qs),
        "can_write": covers(request.user, org.path, write=True),
    }
    return render(request, "learning/books.html", context)


@login_required
def book_new(request: HttpRequest) -> HttpResponse:
    org = focus_org(request)
    if not covers(request.user, org.path, write=True):
        raise PermissionDenied("您对该组织只有查看权限")
    form = BookForm(request.POST or None, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            book = svc.issue_book(
                actor=request.user,
                data=svc.BookData(org, d["title"], d["issued_on"], d["description"], list(d["titles"])),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已发放，为 {book.records.count()} 人建立个人学习记录")
            return redirect("learning:book_detail", book.pk)
    return render(request, "learning/book_form.html", {"form": form, "org": org})


def _book_for(request: HttpRequest, pk: int) -> StudyBook:
    """A book issued in the user's scope, or one that reaches members in it (they then see those records)."""
    require_tree(request.user)
    try:
        return get_for_user(StudyBook.objects.select_related("org"), request.user, pk)
    except Http404:
        if not StudyRecord.objects.visible_to(request.user).filter(book_id=pk).exists():
            raise
    return StudyBook.objects.select_related("org").get(pk=pk)


@login_required
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    book = _book_for(request, pk)
    records = (
        StudyRecord.objects.visible_to(request.user).filter(book=book).select_related("member", "member__org")
    )
    sample: list[StudyRecord] = []
    raw = request.GET.get("sample") or ""
    if raw.isdigit() and int(raw) > 0:
        unchecked = list(records.exclude(pk__in=StudyCheck.objects.live().values("record_id")))
        sample = random.sample(unchecked, min(int(raw), MAX_SAMPLE, len(unchecked)))
    page = page_of(request, records.order_by("member__org__path", "member_id"))
    context = {
        "book": book,
        "page": page,
        "rows": book_rows(book, page.object_list),
        "sample": sample,
        "total": records.count(),
        "checked": StudyCheck.objects.live()
        .filter(record__in=records)
        .values("record_id")
        .distinct()
        .count(),
        "can_check": covers(request.user, book.org.path, write=True),
        "check_form": CheckForm(initial={"checked_on": timezone.localdate()}),
    }
    return render(request, "learning/book_detail.html", context)


@login_required
def book_export(request: HttpRequest, pk: int) -> HttpResponse:
    book = _book_for(request, pk)
    records = (
        StudyRecord.objects.visible_to(request.user)
        .filter(book=book)
        .select_related("member", "member__org")
        .order_by("member__org__path", "member_id")
    )
    title = f"一人一册《{book.title}》学习记录与抽查结果"
    rows = [
        [
            i,
            row.record.member.name,
            row.record.member.org.name,
            "是" if row.record.notes else "否",
            f"{row.last.checked_on:%Y-%m-%d}" if row.last else "",
            row.last.get_result_display() if row.last else "未抽查",
            row.last.remark if row.last else "",
        ]
        for i, row in enumerate(book_rows(book, records), 1)
    ]
    body = xlsx(title, ["序号", "姓名", "所在党组织", "已写笔记", "最近抽查日期", "结果", "意见"], rows)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response


def _record_for(request: HttpRequest, pk: int) -> StudyRecord:
    """The person's own record, or one in the staff user's scope; anyone else gets 404."""
    qs = StudyRecord.objects.select_related("book", "book__org", "member", "member__org")
    q = scope_q(request.user, "member__org__path", own="member_id")
    try:
        return (qs if q is None else qs.filter(q)).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request, pk)
    own = own_member_id(request.user) == record.member_id
    form = NotesForm(request.POST or None, initial={"notes": record.notes})
    if request.method == "POST":
        if not own:
            raise PermissionDenied("只有本人可以填写学习笔记")
        if form.is_valid():
            try:
                svc.write_notes(actor=request.user, record=record, notes=form.cleaned_data["notes"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "学习笔记已保存")
                return redirect("learning:record_detail", record.pk)
    can_check = has_any_scope(request.user) and covers(request.user, record.book.org.path, write=True)
    context = {
        "record": record,
        "own": own,
        "form": form,
        "checks": record.checks.select_related("checked_by").order_by("-checked_on", "-pk"),
        "can_check": can_check,
        "check_form": CheckForm(initial={"checked_on": timezone.localdate()}) if can_check else None,
        "withdraw_form": WithdrawForm() if can_check else None,
    }
    return render(request, "learning/record_detail.html", context)


@login_required
@require_POST
def record_check(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    record = get_for_user(StudyRecord.objects.select_related("book", "book__org", "member"), request.user, pk)
    if not covers(request.user, record.book.org.path, write=True):
        raise PermissionDenied("只有发放单位可以登记抽查结果")
    form = CheckForm(request.POST)
    back = request.POST.get("next") == "book"
    if not form.is_valid():
        messages.error(request, "请选择抽查结果并填写日期")
    else:
        d = form.cleaned_data
        try:
            svc.check_record(
                actor=request.user,
                record=record,
                result=d["result"],
                checked_on=d["checked_on"],
                remark=d["remark"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已登记 {record.member.name} 的抽查结果")
    if back:
        return redirect("learning:book_detail", record.book_id)
    return redirect("learning:record_detail", record.pk)


@login_required
@require_POST
def check_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require_tree(request.user)
    check = get_for_user(
        StudyCheck.objects.select_related("record__book__org", "record__member"), request.user, pk
    )
    if not covers(request.user, check.record.book.org.path, write=True):
        raise PermissionDenied("只有发放单位可以撤销抽查结果")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请说明撤销原因")
    else:
        try:
            svc.withdraw_check(actor=request.user, check=check, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已撤销该抽查结果，相应积分已冲正")
    return redirect("learning:record_detail", check.record_id)
