"""观察员选聘 pages: candidates, the joint review's opinions, appointment, the letter and card PDFs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from observers.filters import CandidateFilter
from observers.forms import AppointForm, CandidateForm, OpinionForm
from observers.models import Candidate, Observer
from observers.selectors import writable_committees
from observers.services import documents, selection
from observers.views.common import page_of, user_of
from orgs.access import covers, get_for_user, require_tree
from orgs.forms import add_service_errors, style_filter_form
from orgs.models import Member, Organization

# ---------------------------------------------------------------- candidates


@login_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    base = Candidate.objects.visible_to(user_of(request)).select_related("member", "member__org", "committee")
    filterset = CandidateFilter(request.GET, queryset=base)
    style_filter_form(filterset.form)
    context = {
        "filter": filterset,
        "page": page_of(request, filterset.qs),
        "can_register": writable_committees(user_of(request)).exists(),
        "min_years": settings.OBSERVER_MIN_PARTY_WORK_YEARS,
    }
    return render(request, "observers/selection/candidate_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def candidate_create(request: HttpRequest) -> HttpResponse:
    """Find a member of the user's subtree (?q=), pick them (?member=), then the candidate form."""
    require_tree(request.user)
    member = None
    if request.GET.get("member"):  # outside the user's tree: 404 before anything else
        member = get_for_user(Member.objects.select_related("org"), request.user, request.GET["member"])
    if not writable_committees(user_of(request)).exists():
        raise PermissionDenied("您没有登记观察员人选的权限")
    query = request.GET.get("q", "").strip()
    form = None
    results: list[Member] = []
    if member is not None:
        member = get_for_user(Member.objects.select_related("org"), request.user, member.pk, write=True)
        allowed = [
            c.pk for c in selection.committees_of(member.org) if covers(request.user, c.path, write=True)
        ]
        committees = Organization.objects.filter(pk__in=allowed).order_by("-depth")
        initial = {"committee": allowed[0] if allowed else None}
        form = CandidateForm(request.POST or None, committees=committees, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                cand = selection.register_candidate(
                    actor=user_of(request), member=member, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记观察员人选：{member.name}，请联合审查单位出具意见")
                return redirect("observers:candidate_detail", pk=cand.pk)
    elif request.method == "POST":
        raise Http404("请先选择党员")
    elif query:
        results = list(
            Member.objects.visible_to(user_of(request), write=True)
            .active()
            .filter(name__contains=query, observer__isnull=True)
            .select_related("org")
            .order_by("org__path", "name")[:20]
        )
    context = {
        "query": query,
        "results": results,
        "member": member,
        "form": form,
        "min_years": settings.OBSERVER_MIN_PARTY_WORK_YEARS,
    }
    return render(request, "observers/selection/candidate_form.html", context)


def _candidate(request: HttpRequest, pk: int, *, write: bool = False) -> Candidate:
    qs = Candidate.objects.select_related("member", "member__org", "committee", "created_by")
    return get_for_user(qs, request.user, pk, write=write)


def _detail(request: HttpRequest, cand: Candidate, *, status: int = 200, **forms: Any) -> HttpResponse:
    state = selection.review_state(cand)
    can_write = covers(request.user, cand.committee.path, write=True)
    reviewing = cand.status == Candidate.Status.REVIEWING
    pending = selection.active_units().exclude(pk__in=[o.unit_id for o in state.opinions])
    context = {
        "cand": cand,
        "state": state,
        "observer": Observer.objects.filter(candidate=cand).first(),
        "can_review": can_write and reviewing and bool(state.pending),
        "can_appoint": can_write and reviewing and state.all_agreed,
        "opinion_form": forms.get("opinion_form") or OpinionForm(units=pending),
        "appoint_form": forms.get("appoint_form") or AppointForm(),
        "min_years": settings.OBSERVER_MIN_PARTY_WORK_YEARS,
    }
    return render(request, "observers/selection/candidate_detail.html", context, status=status)


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _candidate(request, pk))


@login_required
@require_POST
def candidate_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    cand = _candidate(request, pk, write=True)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            row = selection.record_opinion(actor=user_of(request), candidate=cand, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if row.opinion == row.Opinion.OBJECT:
                messages.warning(request, f"{row.unit.name}有异议，该人选未通过审查，不得聘任")
            else:
                messages.success(request, f"已记录{row.unit.name}的审查意见")
            return redirect("observers:candidate_detail", pk=cand.pk)
    return _detail(request, cand, opinion_form=form)


@login_required
@require_POST
def candidate_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    cand = _candidate(request, pk, write=True)
    form = AppointForm(request.POST)
    if form.is_valid():
        try:
            result = selection.appoint(actor=user_of(request), candidate=cand, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the initial password is shown this once and never stored in clear.
            response = render(request, "observers/selection/appointed.html", {"result": result})
            response["Cache-Control"] = "no-store"
            return response
    return _detail(request, cand, appoint_form=form)


# ---------------------------------------------------------------- documents


def _observer_for_pdf(request: HttpRequest, pk: int) -> Observer:
    return get_for_user(Observer.objects.select_related("member__org", "committee"), request.user, pk)


def _pdf(content_fn: Any, observer: Observer, name: str) -> HttpResponse:
    try:
        content = content_fn(observer)
    except documents.FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{observer.pk}.pdf"'
    return response


@login_required
def appointment_letter(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(documents.appointment_letter_pdf, _observer_for_pdf(request, pk), "letter")


@login_required
def work_card(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(documents.work_card_pdf, _observer_for_pdf(request, pk), "card")


urlpatterns = [
    path("candidates/", candidate_list, name="candidate_list"),
    path("candidates/new/", candidate_create, name="candidate_create"),
    path("candidates/<int:pk>/", candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/opinion/", candidate_opinion, name="candidate_opinion"),
    path("candidates/<int:pk>/appoint/", candidate_appoint, name="candidate_appoint"),
    path("roster/<int:pk>/letter.pdf", appointment_letter, name="observer_letter_pdf"),
    path("roster/<int:pk>/card.pdf", work_card, name="observer_card_pdf"),
]
