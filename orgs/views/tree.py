"""Pages of the organization tree: parse, check access, call a service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from orgs import selectors, services
from orgs.access import (
    covers,
    get_for_user,
    require_tree,
    require_writer,
)
from orgs.filters import OrganizationFilter
from orgs.forms import (
    OrganizationForm,
    add_service_errors,
    style_filter_form,
)
from orgs.models import Organization
from orgs.structure import org_warnings
from orgs.views.common import page_of, user_of

CHILDREN_SHOWN = 100  # the organization page lists this many children; the org list has them all


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    base = Organization.objects.visible_to(user_of(request)).select_related("parent")
    filterset = OrganizationFilter(request.GET, queryset=base)
    style_filter_form(filterset.form)
    page = page_of(request, filterset.qs.order_by("path"))
    counts = selectors.subtree_member_counts(list(page.object_list))
    rows = [(o, counts.get(o.pk, 0)) for o in page.object_list]
    return render(request, "orgs/org_list.html", {"filter": filterset, "page": page, "rows": rows})


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    """One level of the lazy tree, as a fragment that htmx puts under the opened node."""
    require_tree(request.user)
    selected = request.GET.get("selected", "")
    if request.GET.get("parent"):
        parent = get_for_user(Organization.objects.all(), request.user, request.GET["parent"])
        nodes = selectors.tree_children(request.user, parent)
    else:
        # The first load: the roots, opened down to the selected organization.
        visible = Organization.objects.visible_to(user_of(request))
        opened = visible.filter(pk=selected).first() if selected.isdigit() else None
        nodes = selectors.tree_opened_at(request.user, opened)
    return render(request, "orgs/partials/tree_level.html", {"nodes": nodes, "selected": selected})


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = OrganizationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已新增党组织")
            return redirect("orgs:org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": None})


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(Organization.objects.select_related("parent"), request.user, pk)
    children = list(org.children.order_by("path")[: CHILDREN_SHOWN + 1])
    counts = selectors.subtree_member_counts(children[:CHILDREN_SHOWN])
    context = {
        "org": org,
        "ancestors": org.ancestors().visible_to(user_of(request)),
        "warnings": org_warnings(org, timezone.localdate()),
        "children": [(c, counts.get(c.pk, 0)) for c in children[:CHILDREN_SHOWN]],
        "more_children": len(children) > CHILDREN_SHOWN,
        "positions": selectors.current_positions(org),
        "category_counts": selectors.category_counts(org),
        "can_write": covers(request.user, org.path, write=True),
    }
    return render(request, "orgs/org_detail.html", context)


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(Organization.objects.all(), request.user, pk, write=True)
    form = OrganizationForm(request.POST or None, user=request.user, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(actor=request.user, org=org, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def problems(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    code = request.GET.get("type", "")
    if code not in selectors.WARNING_LABELS:
        code = ""
    found, types = selectors.problems(request.user, timezone.localdate(), code)
    page = page_of(request, found)
    selectors.attach_parents([org for org, _ in page.object_list])
    context = {"page": page, "types": types, "current": code, "total": len(found)}
    return render(request, "orgs/problems.html", context)
