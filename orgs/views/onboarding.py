"""The onboarding wizard's pages: upload, map columns, check (preview), import, with a polled progress bar."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs.access import get_for_user, require_tree
from orgs.models import ColumnMapping, OnboardingBatch
from orgs.services import county_file, onboarding, positions_file, roster, tree_file
from orgs.views.common import user_of

_FILE = forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"})


class BatchUploadForm(forms.Form):
    orgs = forms.FileField(label="党组织文件（党组织和所在单位基本信息采集表）", required=False, widget=_FILE)
    members = forms.FileField(label="党员文件（党员基本信息汇总表）", required=False, widget=_FILE)
    positions = forms.FileField(label="职务文件（书记、委员、联系人等）", required=False, widget=_FILE)
    archive = forms.FileField(
        label="或：从其他先锋实例导出的迁移包（.xfpack）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xfpack"}),
    )
    passphrase = forms.CharField(
        label="迁移包口令", required=False, widget=forms.PasswordInput(attrs={"class": "form-control"})
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("orgs", "members", "positions", "archive")):
            raise forms.ValidationError("请至少选择一个文件")
        if data.get("archive") and not data.get("passphrase"):
            self.add_error("passphrase", "请填写迁移包口令")
        return data


class CountyExportForm(forms.Form):
    reason = forms.CharField(
        label="导出原因", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    passphrase = forms.CharField(
        label="口令（至少 12 个字符，导入时需要）",
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    passphrase2 = forms.CharField(
        label="再次输入口令",
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("passphrase") != data.get("passphrase2"):
            self.add_error("passphrase2", "两次输入的口令不一致")
        return data


def _onboarder(request: HttpRequest) -> None:
    require_tree(request.user)
    onboarding.require_onboarder(user_of(request))


def _batch(request: HttpRequest, pk: int) -> OnboardingBatch:
    batch = get_for_user(OnboardingBatch.objects.select_related("org"), request.user, pk)
    onboarding.require_onboarder(user_of(request))
    return batch


@login_required
@require_http_methods(["GET", "POST"])
def onboarding_home(request: HttpRequest) -> HttpResponse:
    _onboarder(request)
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = {
            name: (upload.name, upload.read())
            for name in ("orgs", "members", "positions")
            if (upload := form.cleaned_data.get(name))
        }
        try:
            if archive := form.cleaned_data.get("archive"):
                if archive.size > settings.IMPORT_MAX_BYTES:
                    raise roster.RosterFileError("迁移包过大")
                files |= county_file.open_archive(archive.read(), form.cleaned_data["passphrase"])
            batch = onboarding.create_batch(actor=request.user, files=files)
        except roster.RosterFileError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("orgs:onboarding_detail", pk=batch.pk)
    batches = OnboardingBatch.objects.visible_to(user_of(request)).select_related("created_by")[:20]
    return render(request, "orgs/onboarding.html", {"form": form, "batches": batches})


@login_required
@require_GET
def onboarding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    columns = onboarding.sheet_columns(batch) if not batch.is_running else []
    progress, stage = onboarding.read_progress(batch)
    context = {
        "batch": batch,
        "columns": columns,
        "ready": all(c.ready for c in columns),
        "progress": progress,
        "stage": stage,
        "report": batch.report,
        "sheet_labels": dict(ColumnMapping.Sheet.choices),
    }
    return render(request, "orgs/onboarding_detail.html", context)


@login_required
@require_POST
def onboarding_mapping(request: HttpRequest, pk: int, sheet: str) -> HttpResponse:
    batch = _batch(request, pk)
    if sheet not in onboarding.LAYOUTS:
        raise Http404("未找到页面")
    headers = request.POST.getlist("header")
    columns = request.POST.getlist("column")
    onboarding.save_mapping(
        actor=request.user, batch=batch, sheet=sheet, mapping=dict(zip(headers, columns, strict=False))
    )
    messages.success(request, "已保存列名对应，本县下次导入时自动使用")
    return redirect("orgs:onboarding_detail", pk=batch.pk)


@login_required
@require_POST
def onboarding_start(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    batch = _batch(request, pk)
    if step not in ("check", "import"):
        raise Http404("未找到页面")
    try:
        onboarding.start(actor=request.user, batch=batch, apply=step == "import")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("orgs:onboarding_detail", pk=batch.pk)


@login_required
@require_GET
def onboarding_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx while the batch runs; once it is done the page reloads itself."""
    batch = _batch(request, pk)
    progress, stage = onboarding.read_progress(batch)
    response = render(
        request,
        "orgs/partials/onboarding_progress.html",
        {"batch": batch, "progress": progress, "stage": stage},
    )
    if not batch.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


_TEMPLATES = {
    "orgs": ("党组织导入模板.xlsx", tree_file.build_template),
    "members": ("党员名册导入模板.xlsx", roster.build_template),
    "positions": ("职务导入模板.xlsx", positions_file.build_template),
}


@login_required
@require_GET
def onboarding_template(request: HttpRequest, sheet: str) -> HttpResponseBase:
    _onboarder(request)
    if sheet not in _TEMPLATES:
        raise Http404("未找到页面")
    name, build = _TEMPLATES[sheet]
    return FileResponse(
        io.BytesIO(build()), as_attachment=True, filename=name, content_type=roster.XLSX_CONTENT_TYPE
    )


@login_required
@require_http_methods(["GET", "POST"])
def county_export(request: HttpRequest) -> HttpResponseBase:
    """The county as a sealed archive for another instance: full ID numbers, so audited as an unmasking."""
    _onboarder(request)
    if not (request.user.has_perm("orgs.unmask_member") and request.user.has_perm("orgs.export_member")):
        raise PermissionDenied("导出迁移包需要“查看完整身份证号和手机号”和“导出党员名册”两项权限")
    form = CountyExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = county_file.export_county(
                actor=request.user,
                reason=form.cleaned_data["reason"],
                passphrase=form.cleaned_data["passphrase"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            response = FileResponse(
                io.BytesIO(data),
                as_attachment=True,
                filename=county_file.file_name(),
                content_type="application/octet-stream",
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "orgs/county_export.html", {"form": form})
