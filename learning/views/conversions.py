"""学时折算标准 (L-06): every version, newest first; a department admin adds one from a date."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from learning.forms import ConversionForm
from learning.models import Conversion
from learning.services import conversions as svc
from orgs.access import require_tree
from orgs.forms import add_service_errors


@login_required
def conversion_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    today = timezone.localdate()
    versions = list(Conversion.objects.select_related("created_by").order_by("-effective_from"))
    current = next((v for v in versions if v.effective_from <= today), None)
    changes = svc.version_changes(versions)
    context = {
        "rows": [(v, changes.get(v.pk, [])) for v in versions],
        "current": current,
        "today": today,
        "can_configure": svc.can_configure(request.user),
    }
    return render(request, "learning/conversions.html", context)


@login_required
def conversion_new(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    if not svc.can_configure(request.user):
        raise PermissionDenied(svc.REFUSED)
    latest = Conversion.objects.order_by("-effective_from").first()
    if request.method == "POST":
        form = ConversionForm(request.POST)
    else:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        start = max(tomorrow, latest.effective_from + dt.timedelta(days=1)) if latest else tomorrow
        initial: dict[str, object] = {"effective_from": start}
        if latest is not None:
            initial.update({name: f"{getattr(latest, name).normalize():f}" for name in svc.CHANGEABLE})
        form = ConversionForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = svc.publish_conversion(
                actor=request.user,
                data=svc.ConversionData.of(d),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"已发布新的学时折算标准，自{version.effective_from:%Y年%m月%d日}起适用"
            )
            return redirect("learning:conversion_list")
    return render(request, "learning/conversion_form.html", {"form": form, "latest": latest})
