"""Roster pages: upload an .xlsx to import members, download the template, export a filtered list."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_http_methods

from orgs.access import can_write_anywhere, require_tree
from orgs.filters import MemberFilter
from orgs.models import Member, Organization
from orgs.services import roster
from orgs.views.common import user_of

ZIP_MAGIC = b"PK\x03\x04"
SHOWN_ERRORS = 500


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="名册文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx," + roster.XLSX_CONTENT_TYPE}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"文件不能超过 {filesizeformat(settings.IMPORT_MAX_BYTES)}")
        head = upload.read(4)
        upload.seek(0)
        if not upload.name.lower().endswith(".xlsx") or head != ZIP_MAGIC:
            raise forms.ValidationError(
                "请上传 Excel 2007 及以上版本的 .xlsx 文件（不支持 .xls、.csv 等格式）"
            )
        return upload


def require_importer(request: HttpRequest) -> None:
    require_tree(request.user)
    if not can_write_anywhere(request.user):
        raise PermissionDenied("您只有查看权限，不能导入")


@login_required
@require_http_methods(["GET", "POST"])
def import_roster(request: HttpRequest) -> HttpResponse:
    require_importer(request)
    result = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = roster.import_members(actor=request.user, file=upload, file_name=upload.name)
            except roster.RosterFileError as exc:
                form.add_error("file", str(exc))
    else:
        form = RosterUploadForm()
    context = {
        "form": form,
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "max_bytes": settings.IMPORT_MAX_BYTES,
    }
    if request.headers.get("HX-Request"):
        return render(request, "orgs/partials/roster_import_panel.html", context)
    return render(request, "orgs/roster_import.html", context)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponseBase:
    require_importer(request)
    example_org = Organization.objects.visible_to(user_of(request), write=True).branches().first()
    data = roster.build_template(example_org=example_org)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename="党员名册导入模板.xlsx",
        content_type=roster.XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def export_roster(request: HttpRequest) -> HttpResponseBase:
    if not request.user.has_perm("orgs.export_member"):
        raise PermissionDenied("您没有导出党员名册的权限")
    filterset = MemberFilter(
        request.GET, queryset=Member.objects.visible_to(user_of(request)), request=request
    )
    if not filterset.is_valid():
        return HttpResponseBadRequest("筛选条件无效")
    filters = {key: value for key, value in request.GET.items() if value and key != "page"}
    data = roster.export_members(user=request.user, queryset=filterset.qs, filters=filters)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=roster.export_file_name(),
        content_type=roster.XLSX_CONTENT_TYPE,
    )
