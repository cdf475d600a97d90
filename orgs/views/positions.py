"""Posts pages: the list of posts in the user's scope, and the posts file's import and template."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from orgs.access import can_write_anywhere, require_tree
from orgs.filters import PositionFilter
from orgs.forms import style_filter_form
from orgs.models import Position
from orgs.services import positions_file, roster
from orgs.views.common import page_of, user_of
from orgs.views.roster import SHOWN_ERRORS, RosterUploadForm, require_importer


@login_required
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    base = Position.objects.visible_to(user_of(request)).select_related("member", "org")
    filterset = PositionFilter(request.GET, queryset=base)
    style_filter_form(filterset.form)
    page = page_of(request, filterset.qs.order_by("org__path", "title", "-started_on", "pk"))
    context = {"filter": filterset, "page": page, "can_import": can_write_anywhere(request.user)}
    return render(request, "orgs/position_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def position_import(request: HttpRequest) -> HttpResponse:
    require_importer(request)
    result = None
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = positions_file.import_positions(actor=request.user, file=upload, file_name=upload.name)
        except roster.RosterFileError as exc:
            form.add_error("file", str(exc))
    context = {
        "form": form,
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "max_bytes": settings.IMPORT_MAX_BYTES,
    }
    return render(request, "orgs/position_import.html", context)


@login_required
@require_GET
def position_template(request: HttpRequest) -> HttpResponseBase:
    require_importer(request)
    return FileResponse(
        io.BytesIO(positions_file.build_template()),
        as_attachment=True,
        filename="职务导入模板.xlsx",
        content_type=roster.XLSX_CONTENT_TYPE,
    )
