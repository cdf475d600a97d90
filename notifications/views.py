"""In-site notices (the bell and the notices page) and the SMS outbox for administrators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import services
from notifications.models import Message
from orgs.access import covers, has_any_scope, scope_paths
from orgs.paths import subtree_q


def _page(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = services.inbox(request.user).select_related("org")
    if request.GET.get("unread"):
        notices = notices.filter(read_at__isnull=True)
    context = {
        "page": _page(request, notices),
        "unread": services.unread_count(request.user),
        "only_unread": bool(request.GET.get("unread")),
    }
    return render(request, "notifications/notice_list.html", context)


@login_required
@require_POST
def notice_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    services.mark_read(actor=request.user, message_ids=ids or None)
    if request.headers.get("HX-Request"):
        return notice_badge(request)
    return redirect("notifications:notice_list")


@login_required
def notice_badge(request: HttpRequest) -> HttpResponse:
    """The bell in the top bar, loaded by htmx after the page."""
    return render(request, "notifications/_badge.html", {"unread": services.unread_count(request.user)})


def _visible_outbox(user: Any) -> QuerySet[Message]:
    qs = Message.objects.filter(channel=Message.Channel.SMS)
    paths = scope_paths(user)
    return qs if paths is None else qs.filter(subtree_q(paths, "org__path"))


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    if not has_any_scope(request.user):
        raise Http404("未找到页面")
    status = request.GET.get("status", "")
    rows = _visible_outbox(request.user).select_related("org")
    if status in Message.Status.values:
        rows = rows.filter(status=status)
    context = {"page": _page(request, rows), "status": status, "statuses": Message.Status.choices}
    return render(request, "notifications/outbox.html", context)


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = _visible_outbox(request.user).filter(pk=pk).select_related("org").first()
    if message is None:
        raise Http404("未找到该消息，或您无权访问")
    org_path = message.org.path if message.org is not None else ""
    if not (covers(request.user, org_path, write=True) if org_path else scope_paths(request.user) is None):
        raise PermissionDenied("您只有查看权限")
    services.retry_failed(actor=request.user, message=message)
    messages.success(request, "已重新排队发送")
    return redirect("notifications:outbox")
