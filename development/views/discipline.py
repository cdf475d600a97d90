"""留党察看 records: the list in scope, and entering one (it bars sponsoring, D-07, and the vote, Q-01)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from accounts.models import User
from development.forms import BaseForm
from development.services import pipeline as svc
from orgs.access import get_for_user, require_tree, require_writer
from orgs.forms import DATE, add_service_errors
from orgs.models import Discipline, Member, Organization


class DisciplineForm(BaseForm):
    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())
    starts_on = forms.DateField(label="留党察看开始日期", widget=DATE)
    ends_on = forms.DateField(label="恢复党员权利日期（未恢复可留空）", widget=DATE, required=False)
    note = forms.CharField(label="处分决定（文号）", max_length=200)

    def __init__(self, *args: object, org: Organization, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].queryset = Member.objects.filter(org=org).active().order_by("name")  # type: ignore[attr-defined]


@login_required
def discipline_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    items = (
        Discipline.objects.visible_to(request.user)
        .select_related("member", "member__org")
        .order_by("-starts_on")[:200]
    )
    branches = Organization.objects.visible_to(request.user, write=True).branches().order_by("path")
    org = None
    form = None
    if request.GET.get("org"):
        org = get_for_user(Organization.objects.all(), request.user, request.GET["org"], write=True)
        form = DisciplineForm(org=org)
    return render(
        request,
        "development/discipline_list.html",
        {"items": items, "branches": branches, "org": org, "form": form},
    )


@login_required
def discipline_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.user)
    org = get_for_user(Organization.objects.all(), request.user, pk, write=True)
    form = DisciplineForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            svc.add_discipline(actor=cast(User, request.user), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记留党察看")
            return redirect("development:discipline_list")
    items = (
        Discipline.objects.visible_to(request.user)
        .select_related("member", "member__org")
        .order_by("-starts_on")[:200]
    )
    branches = Organization.objects.visible_to(request.user, write=True).branches().order_by("path")
    context = {"items": items, "branches": branches, "org": org, "form": form}
    return render(request, "development/discipline_list.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("discipline/", discipline_list, name="discipline_list"),
    path("discipline/org/<int:pk>/", discipline_create, name="discipline_create"),
]
