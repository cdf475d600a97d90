"""The rule-set pages: the version in force and all versions; a department admin publishes a new one."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from accounts.models import User
from orglife.forms.rules import RuleFormSet, RuleSetForm
from orglife.models import MeetingRule, RuleSet
from orglife.periods import add_months, first_of_month, local_today
from orglife.services import rules as services_rules
from orgs.access import require_tree
from orgs.forms import add_service_errors


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    current = services_rules.current_ruleset()
    versions = list(
        RuleSet.objects.select_related("created_by").prefetch_related(
            Prefetch("rules", queryset=MeetingRule.objects.order_by("id"))
        )
    )
    rows = [(v, services_rules.version_changes(v)) for v in versions]
    context = {
        "current": current,
        "rows": rows,
        "today_month": first_of_month(local_today()),
        "can_configure": services_rules.is_department_admin(_user(request)),
    }
    return render(request, "orglife/rules/rule_list.html", context)


@login_required
def rule_create(request: HttpRequest) -> HttpResponse:
    require_tree(_user(request))
    if not services_rules.is_department_admin(_user(request)):
        raise PermissionDenied("只有组织部管理员可以修改组织生活规则")
    base = services_rules.current_ruleset()
    if request.method == "POST":
        form = RuleSetForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
    else:
        initial = {**services_rules.settings_of(base), "document": "", "note": ""}
        initial["effective_from"] = add_months(first_of_month(local_today()), 1)
        form = RuleSetForm(initial=initial)
        formset = RuleFormSet(prefix="rules", initial=[r.__dict__ for r in services_rules.rules_of(base)])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            ruleset = services_rules.create_ruleset_version(
                actor=_user(request),
                rules=[f.rule_data() for f in formset.forms],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "rules" in exc.error_dict:
                for error in exc.error_dict.pop("rules"):
                    form.add_error(None, error)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已发布新规则版本，自{ruleset.effective_from:%Y年%m月}起适用")
            return redirect("orglife:rule_list")
    return render(request, "orglife/rules/rule_form.html", {"form": form, "formset": formset, "base": base})


urlpatterns = [
    path("", rule_list, name="rule_list"),
    path("new/", rule_create, name="rule_create"),
]
