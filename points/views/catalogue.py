"""The rule catalogue: versions, their blocks and items; the department admin edits a draft and publishes it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from orgs.access import get_for_user, holds, scope_q
from orgs.forms import DATE, StyledForm, add_service_errors, bootstrap
from orgs.models import Organization
from points import defaults, services
from points.forms import NewVersionForm, RuleForm, VersionForm
from points.models import Catalogue, PointRule, RuleVersion
from points.roles import CATALOGUE_ROLES
from points.views.common import require_points_user, require_role, user_of

SHOWN = 500


class CatalogueForm(StyledForm, forms.Form):
    org = forms.ModelChoiceField(queryset=Organization.objects.none(), label="适用组织（含下级）")
    name = forms.CharField(label="名称", max_length=120, initial="学习积分制")
    document = forms.CharField(label="依据文件", max_length=200, initial=defaults.DOCUMENT)
    effective_from = forms.DateField(label="首版生效日期", widget=DATE)
    template = forms.BooleanField(
        label="按宿松县“学习积分制”模板预置板块和项目", required=False, initial=True
    )

    def __init__(self, *args: object, orgs: QuerySet[Organization], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The choice is checked against the whole scope; only the first SHOWN are listed (a province has
        # hundreds of thousands). A sliced queryset cannot validate: every choice was refused.
        field = self.fields["org"]
        field.queryset = orgs  # type: ignore[attr-defined]
        field.choices = [("", "---------"), *((o.pk, str(o)) for o in orgs[:SHOWN])]  # type: ignore[attr-defined]
        bootstrap(self)


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    require_points_user(request)
    user = user_of(request)
    catalogues = Catalogue.objects.visible_to(user).select_related("org").prefetch_related("versions")
    rows = [(c, holds(user, CATALOGUE_ROLES, c.org.path)) for c in catalogues]
    can_create = holds(user, CATALOGUE_ROLES)
    return render(request, "points/catalogue_list.html", {"rows": rows, "can_create": can_create})


@login_required
def catalogue_create(request: HttpRequest) -> HttpResponse:
    require_role(request, CATALOGUE_ROLES, "只有组织部管理员可以制定积分办法")
    q = scope_q(request.user, "path", wanted=CATALOGUE_ROLES)
    orgs = Organization.objects.all() if q is None else Organization.objects.filter(q)
    form = CatalogueForm(
        request.POST or None, orgs=orgs.exclude(kind=Organization.Kind.GROUP).order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        create = services.create_catalogue_from_template if data["template"] else services.create_catalogue
        try:
            catalogue = create(
                actor=user_of(request),
                org=data["org"],
                name=data["name"],
                document=data["document"],
                effective_from=data["effective_from"],
            )
            version = catalogue.versions.get()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已创建积分办法（草稿），请检查后发布")
            return redirect("points:version_detail", pk=version.pk)
    return render(request, "points/simple_form.html", {"form": form, "title": "新建积分办法"})


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_points_user(request)
    version = get_for_user(
        RuleVersion.objects.select_related("catalogue", "catalogue__org"), request.user, pk
    )
    can_edit = version.is_draft and holds(request.user, CATALOGUE_ROLES, version.catalogue.org.path)
    context = {
        "version": version,
        "blocks": version.blocks.prefetch_related("rules"),
        "can_edit": can_edit,
        "can_branch": not version.is_draft
        and holds(request.user, CATALOGUE_ROLES, version.catalogue.org.path),
        "versions": version.catalogue.versions.all(),
        "new_form": NewVersionForm(),
    }
    return render(request, "points/version_detail.html", context)


@require_POST
@login_required
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    """新建版本: a draft copy of the catalogue's latest version."""
    version = get_for_user(RuleVersion.objects.select_related("catalogue"), request.user, pk, write=True)
    form = NewVersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写生效日期")
        draft = services.start_version(
            actor=user_of(request), catalogue=version.catalogue, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("points:version_detail", pk=version.pk)
    messages.success(request, f"已新建第{draft.number}版草稿")
    return redirect("points:version_detail", pk=draft.pk)


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_user(RuleVersion.objects.select_related("catalogue"), request.user, pk, write=True)
    form = VersionForm(request.POST or None, instance=RuleVersion.objects.get(pk=version.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_version(actor=user_of(request), version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("points:version_detail", pk=version.pk)
    return render(request, "points/simple_form.html", {"form": form, "title": f"修改{version}"})


@require_POST
@login_required
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_for_user(RuleVersion.objects.select_related("catalogue"), request.user, pk, write=True)
    try:
        services.publish_version(actor=user_of(request), version=version)
        messages.success(request, "已发布，自生效日期起的积分按此版本计算")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:version_detail", pk=version.pk)


@login_required
def rule_edit(request: HttpRequest, pk: int, rule_pk: int | None = None) -> HttpResponse:
    version = get_for_user(RuleVersion.objects.select_related("catalogue"), request.user, pk, write=True)
    rule = get_for_user(PointRule.objects.filter(version=version), request.user, rule_pk) if rule_pk else None
    form = RuleForm(
        request.POST or None, instance=PointRule.objects.get(pk=rule.pk) if rule else None, version=version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(actor=user_of(request), version=version, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存积分项目")
            return redirect("points:version_detail", pk=version.pk)
    return render(request, "points/simple_form.html", {"form": form, "title": "积分项目"})


@require_POST
@login_required
def rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    version = get_for_user(RuleVersion.objects.select_related("catalogue"), request.user, pk, write=True)
    rule = get_for_user(PointRule.objects.filter(version=version), request.user, rule_pk, write=True)
    try:
        services.delete_rule(actor=user_of(request), rule=rule)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("points:version_detail", pk=version.pk)
