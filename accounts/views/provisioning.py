"""Bulk provisioning pages (系统管理员): start a run, follow its progress, take its sealed list once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import ProvisionForm
from accounts.models import ProvisioningRun
from accounts.services import provisioning
from accounts.services.users import is_system_admin
from orgs.models import Organization


def _require_system_admin(request: HttpRequest) -> None:
    if not is_system_admin(request.user):
        raise Http404("未找到该页面")


def _run(request: HttpRequest, pk: int) -> ProvisioningRun:
    _require_system_admin(request)
    run = ProvisioningRun.objects.select_related("org", "created_by").filter(pk=pk).first()
    if run is None:
        raise Http404("未找到该批次")
    return run


@never_cache
@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """Start a run (POST) and list the past ones."""
    _require_system_admin(request)
    form = ProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = Organization.objects.filter(code=form.cleaned_data["org_code"].strip()).first()
        if org is None:
            form.add_error("org_code", "未找到该组织代码")
        else:
            try:
                run = provisioning.start_provisioning(
                    actor=request.user,
                    org=org,
                    source=form.cleaned_data["source"],
                    delivery=form.cleaned_data["delivery"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("accounts:provision_detail", pk=run.pk)
    runs = ProvisioningRun.objects.select_related("org", "created_by")
    page = Paginator(runs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/provision_list.html", {"form": form, "page": page})


@never_cache
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress; htmx polls the card while it runs."""
    run = _run(request, pk)
    template = (
        "accounts/_provision_card.html"
        if request.headers.get("HX-Request")
        else "accounts/provision_detail.html"
    )
    return render(request, template, {"run": run})


@never_cache
@login_required
def run_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed list, once: a second download finds nothing (the passwords are gone)."""
    run = _run(request, pk)
    try:
        pdf = provisioning.take_sealed_list(actor=request.user, run=run)
    except ValidationError as exc:
        context = {"run": run, "error": exc.messages[0]}
        return render(request, "accounts/provision_detail.html", context, status=410)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sealed-list-{run.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
