"""发展党员 pages: the pipeline list, the 到期提醒 list, the department's view by node, a person's file
with its timeline and next steps, the application form and one form per step."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from development.filters import PersonFilter
from development.forms import ApplicationForm
from development.models import Person, Quota, Stage
from development.selectors import deadlines, durations
from development.services import dossier, exports, quotas
from development.services import pipeline as svc
from development.services.common import APPROVER_ROLES
from development.views.steps import STEPS, form_for
from orgs.access import covers, get_for_user, holds, require_tree, require_writer
from orgs.forms import add_service_errors, style_filter_form
from orgs.models import Organization


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _page(request: HttpRequest, items: Any) -> Any:
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))  # type: ignore[attr-defined]
    return page


def _visible(request: HttpRequest) -> Any:
    return Person.objects.visible_to(request.user).select_related("org")


def _branches(request: HttpRequest, *, write: bool = False) -> Any:
    qs = Organization.objects.visible_to(request.user, write=write).branches().filter(is_active=True)
    return qs.order_by("path")


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    filterset = PersonFilter(request.GET, queryset=_visible(request))
    style_filter_form(filterset.form)
    qs = filterset.qs.order_by("org__path", "stage", "-applied_on", "id")
    counts = dict(_visible(request).values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    context = {
        "filter": filterset,
        "page": _page(request, qs),
        "stages": [(s.value, s.label, counts.get(s.value, 0)) for s in Stage],
        "branches": _branches(request),
        "can_write": _branches(request, write=True).exists(),
        "can_export": request.user.has_perm("orgs.export_member"),
    }
    return render(request, "development/person_list.html", context)


@login_required
def person_export(request: HttpRequest) -> HttpResponse:
    """The filtered pipeline as .xlsx (masked personal data); needs the roster-export permission."""
    require_tree(request.user)
    if not request.user.has_perm("orgs.export_member"):
        raise PermissionDenied("您没有导出人员名册的权限")
    filterset = PersonFilter(request.GET, queryset=_visible(request))
    today = timezone.localdate()
    content = exports.export_pipeline(actor=_user(request), queryset=filterset.qs, today=today)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'发展党员名册-{today:%Y%m%d}.xlsx')}"
    )
    return response


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    """到期提醒: the open people's next deadlines within 30 days or overdue (overdue in red)."""
    require_tree(request.user)
    today = timezone.localdate()
    filterset = PersonFilter(request.GET, queryset=_visible(request))
    style_filter_form(filterset.form)
    only_overdue = request.GET.get("overdue") == "1"
    rows = deadlines.due_rows(filterset.qs, today=today, within_days=30, only_overdue=only_overdue)
    items = [
        {"person": p, "due": d, "status": d.status(today), "late": d.overdue_days(today)} for p, d in rows
    ]
    context = {
        "filter": filterset,
        "page": _page(request, items),
        "today": today,
        "only_overdue": only_overdue,
        "branches": _branches(request),
    }
    return render(request, "development/due_list.html", context)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The pipeline by node: for each organization below the user's top nodes, the count per stage, the
    average days spent per stage, the overdue items and the year's plan against actual."""
    require_tree(request.user)
    today = timezone.localdate()
    roots = list(Organization.objects.roots_for(request.user))
    parent_pk = request.GET.get("org")
    nodes: list[Organization]
    if parent_pk:
        parent = get_for_user(Organization.objects.all(), request.user, parent_pk)
        nodes = list(
            parent.children.filter(is_active=True).exclude(kind=Organization.Kind.GROUP).order_by("path")
        )
    else:
        parent = None
        nodes = roots
    stage_counts = {
        s: Count("id", filter=Q(stage=s))
        for s in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL)
    }
    year = today.year
    plans = dict(Quota.objects.for_year(year).filter(org__in=nodes).values_list("org_id", "planned"))
    rows = []
    for node in nodes:
        under = Person.objects.visible_to(request.user).filter(org__path__startswith=node.path)
        counts = under.aggregate(
            **stage_counts,
            **durations.average_aggregates(),
            admitted=Count("id", filter=Q(approved_on__year=year)),
        )
        overdue = deadlines.overdue_count(under, today)
        planned = plans.get(node.pk)
        rows.append(
            {
                "org": node,
                "counts": [counts[s] for s in stage_counts],
                "avg_days": durations.average_days(counts),
                "overdue": overdue,
                "has_children": node.children.exists(),
                "planned": planned,
                "admitted": counts["admitted"],
                "over": planned is not None and counts["admitted"] > planned,
                "can_allocate": quotas.can_allocate(request.user, node),
            }
        )
    context = {
        "parent": parent,
        "rows": rows,
        "stage_labels": [Stage(s).label for s in stage_counts],
        "span_labels": [Stage(s).label for s in durations.SPANS],
        "year": year,
        "can_allocate": any(r["can_allocate"] for r in rows),
    }
    return render(request, "development/overview.html", context)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    branches = _branches(request, write=True)
    form = ApplicationForm(
        request.POST or None, branches=branches, initial={"applied_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            person, warnings = svc.register_application(actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, f"已登记{person.name}的入党申请")
            return redirect("development:person_detail", pk=person.pk)
    return render(
        request, "development/person_create.html", {"form": form}, status=400 if form.errors else 200
    )


def _file(
    request: HttpRequest, person: Person, *, status: int = 200, failed: tuple[str, Any] | None = None
) -> HttpResponse:
    today = timezone.localdate()
    can_write = covers(request.user, person.org.path, write=True)
    can_approve = holds(request.user, APPROVER_ROLES, person.org.path)
    forms = []
    for slug, step in STEPS.items():
        if not step.offered(person) or not (can_approve if step.approver else can_write):
            continue
        form = failed[1] if failed and failed[0] == slug else form_for(slug, person)
        forms.append(
            {"slug": slug, "title": step.title, "form": form, "open": bool(failed and failed[0] == slug)}
        )
    last = person.assessments.order_by("-held_on").values_list("held_on", flat=True).first()
    dues = [
        {"due": d, "status": d.status(today), "late": d.overdue_days(today)}
        for d in deadlines.dues_of(person, last)
    ]
    context = {
        "p": person,
        "steps": person.steps.select_related("actor").order_by("on", "id"),
        "links": person.links.select_related("member").order_by("kind", "since"),
        "assessments": person.assessments.all(),
        "votes": person.votes.select_related("record").order_by("held_on", "id"),
        "next_steps": deadlines.next_steps(person),
        "dues": dues,
        "forms": forms,
        "today": today,
        "dossier": dossier.checklist(person),
        "can_write": can_write,
        "has_notice": bool(person.candidate_notice_on or person.probation_notice_on),
        "open_objections": person.objections.filter(resolved_on__isnull=True).count(),
    }
    return render(request, "development/person_detail.html", context, status=status)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, get_for_user(Person.objects.select_related("org", "member"), request.user, pk))


@login_required
@require_POST
def person_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("未找到该步骤")
    spec = STEPS[step]
    person = get_for_user(Person.objects.select_related("org", "member"), request.user, pk)
    if spec.approver:
        if not holds(request.user, APPROVER_ROLES, person.org.path):
            raise PermissionDenied("审批须由上级党(工)委办理")
    elif not covers(request.user, person.org.path, write=True):
        raise PermissionDenied("您对该对象只有查看权限")
    form = form_for(step, person, request.POST)
    if form.is_valid():
        try:
            warnings = spec.call(_user(request), person, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            for w in warnings or []:
                messages.warning(request, w)
            messages.success(request, f"已办理：{spec.title}")
            return redirect("development:person_detail", pk=person.pk)
    person.refresh_from_db()
    return _file(request, person, status=400, failed=(step, form))


urlpatterns = [
    path("", person_list, name="person_list"),
    path("export/", person_export, name="person_export"),
    path("due/", due_list, name="due_list"),
    path("overview/", overview, name="overview"),
    path("new/", person_create, name="person_create"),
    path("<int:pk>/", person_detail, name="person_detail"),
    path("<int:pk>/<slug:step>/", person_step, name="person_step"),
]
