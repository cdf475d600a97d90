"""The journal's issues: list, create, compose from adopted articles, publish, PDF, 更正."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bulletins import selectors
from bulletins.document import issue_document
from bulletins.fonts import FontMissing
from bulletins.forms import CorrectionForm, IssueForm
from bulletins.models import Article, Issue, IssueEntry, Journal
from bulletins.pdf import render_pdf
from bulletins.roles import EDIT_ROLES
from bulletins.services import issues as services
from bulletins.services.issues import PLACEABLE
from bulletins.views.common import page_of, user_of
from bulletins.word import render_docx
from orgs.access import get_for_user, holds, require_tree, scope_q
from orgs.forms import add_service_errors


def _issue(request: HttpRequest, pk: int, *, write: bool = False) -> Issue:
    return get_for_user(
        Issue.objects.select_related("journal__org", "corrects__journal"), user_of(request), pk, write=write
    )


def _editable_journals(request: HttpRequest) -> object:
    q = scope_q(user_of(request), "org__path", wanted=EDIT_ROLES)
    journals = Journal.objects.all()
    return journals if q is None else journals.filter(q)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    """The archive: every issue one reads, searched by article title, unit, keyword and date range."""
    user = user_of(request)
    require_tree(user)
    get = request.GET
    year = get.get("year", "").strip()
    query = selectors.ArchiveQuery(
        title=get.get("title", "").strip()[:50],
        unit=get.get("unit", "").strip()[:50],
        keyword=(get.get("q", "").strip())[:50],
        date_from=_date(get.get("from", "").strip()),
        date_to=_date(get.get("to", "").strip()),
        year=int(year) if year.isdigit() else None,
    )
    bad_dates = [
        label
        for key, label in (("from", "起始日期"), ("to", "截止日期"))
        if get.get(key) and not _date(get[key])
    ]
    page = page_of(request, selectors.archive(user, query))
    hits = selectors.archive_hits(list(page.object_list), query)
    return render(
        request,
        "bulletins/issue_list.html",
        {
            "page": page,
            "rows": [(issue, hits.get(issue.pk, [])) for issue in page.object_list],
            "query": query,
            "q": query.keyword,
            "year": year,
            "date_from": get.get("from", ""),
            "date_to": get.get("to", ""),
            "bad_dates": bad_dates,
            "searching": query.article_filters or query.date_from or query.date_to,
            "can_compose": holds(user, EDIT_ROLES),
        },
    )


@login_required
def issue_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_tree(user)
    if not holds(user, EDIT_ROLES):
        raise PermissionDenied("只有编辑可以编排期刊")
    journals = _editable_journals(request)
    form = IssueForm(request.POST or None, journals=journals, initial={"issue_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.create_issue(actor=user, **form.cleaned_data)
            return redirect("bulletins:issue_detail", pk=issue.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "bulletins/issue_form.html", {"form": form})


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One issue; while a draft, its editor composes it here from adopted articles not in any issue."""
    user = user_of(request)
    issue = _issue(request, pk)
    can_compose = issue.status == Issue.Status.DRAFT and services.can_compose(user, issue.journal)
    candidates = None
    if can_compose:
        q = request.GET.get("q", "")
        candidates = page_of(
            request,
            selectors.article_list(user, q=q, state=Article.State.ADOPTED)
            .filter(adoption__in=PLACEABLE, entry__isnull=True)
            .order_by("-adopted_at", "-id"),
        )
    return render(
        request,
        "bulletins/issue_detail.html",
        {
            "issue": issue,
            "sections": selectors.issue_sections(issue),
            "can_compose": can_compose,
            "can_correct": issue.status == Issue.Status.PUBLISHED
            and services.can_compose(user, issue.journal),
            "candidates": candidates,
            "correction_form": CorrectionForm(initial={"issue_date": timezone.localdate()}),
        },
    )


def _done(request: HttpRequest, issue: Issue, call: object, ok: str) -> HttpResponse:
    try:
        call()  # type: ignore[operator]
        messages.success(request, ok)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:issue_detail", pk=issue.pk)


@login_required
@require_POST
def issue_place(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk, write=True)
    user = user_of(request)
    try:
        article = get_for_user(Article.objects.all(), user, request.POST.get("article", ""))
    except Exception:  # noqa: BLE001 - any bad id is the same answer
        messages.error(request, "请选择要编入的稿件")
        return redirect("bulletins:issue_detail", pk=issue.pk)
    section = request.POST.get("section", "")
    return _done(
        request,
        issue,
        lambda: services.place_article(actor=user, issue=issue, article=article, section=section),
        "已编入本期",
    )


def _entry(request: HttpRequest, issue: Issue) -> IssueEntry | None:
    entry_id = request.POST.get("entry", "")
    return issue.entries.filter(pk=int(entry_id)).first() if entry_id.isdigit() else None


@login_required
@require_POST
def issue_remove(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk, write=True)
    entry = _entry(request, issue)
    if entry is None:
        messages.error(request, "未找到该稿件")
        return redirect("bulletins:issue_detail", pk=issue.pk)
    return _done(
        request, issue, lambda: services.remove_article(actor=user_of(request), entry=entry), "已移出本期"
    )


@login_required
@require_POST
def issue_move(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk, write=True)
    entry = _entry(request, issue)
    if entry is None:
        messages.error(request, "未找到该稿件")
        return redirect("bulletins:issue_detail", pk=issue.pk)
    up = request.POST.get("direction") == "up"
    return _done(
        request, issue, lambda: services.move_entry(actor=user_of(request), entry=entry, up=up), "已调整顺序"
    )


@login_required
@require_POST
def issue_publish(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk, write=True)
    return _done(
        request,
        issue,
        lambda: services.publish_issue(actor=user_of(request), issue=issue),
        "已印发，期号已确定",
    )


@login_required
@require_POST
def issue_correct(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk, write=True)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写更正日期和内容")
        return redirect("bulletins:issue_detail", pk=issue.pk)
    try:
        fix = services.create_issue(
            actor=user_of(request),
            journal=issue.journal,
            issue_date=form.cleaned_data["issue_date"],
            corrects=issue,
            notice=form.cleaned_data["notice"],
            leader_box=False,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("bulletins:issue_detail", pk=issue.pk)
    messages.success(request, "已起草更正，印发后取得新的期号")
    return redirect("bulletins:issue_detail", pk=fix.pk)


@login_required
def issue_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue(request, pk)
    try:
        data, layout = render_pdf(issue_document(issue))
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    number = f"第{issue.number}期" if issue.number else "草稿"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{issue.year}-{issue.number or 0}.pdf"
    response["X-Bulletin-Pages"] = str(layout.pages)
    del number
    return response


@login_required
def issue_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same issue as a .docx for editing in WPS or Word (readers of the issue may download it)."""
    issue = _issue(request, pk)
    response = HttpResponse(
        render_docx(issue_document(issue)),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{issue.year}-{issue.number or 0}.docx"
    return response
