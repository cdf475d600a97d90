"""审计日志: the audit trail for auditors, scoped to their subtree (see audit.selectors)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.filters import AuditEventFilter, target_type_choices
from audit.selectors import audit_paths, events_visible_to
from orgs.models import Organization


@require_safe
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    paths = audit_paths(request.user)
    if paths == []:
        raise Http404("未找到该页面")
    events = events_visible_to(request.user, paths)
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    org_ids = {e.org_id for e in page.object_list if e.org_id}
    # Events keep plain org ids (audit rows outlive organizations); name them in one query.
    org_names = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name")) if org_ids else {}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "type_names": dict(target_type_choices()),
        "org_names": org_names,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "audit/event_list.html", context)
