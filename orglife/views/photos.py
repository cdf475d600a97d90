"""Reused photos: a record's pairs side by side, the secretary's explanation, the patrol's review, and the
list of flagged pairs for the committee."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from accounts.models import User
from orglife.filters.photos import SHOWS, PhotoMatchFilter
from orglife.models import MeetingRecord, PhotoMatch
from orglife.selectors.photos import record_pairs, visible_record_ids
from orglife.services import photos as svc
from orglife.services.patrol import can_patrol
from orglife.services.records import can_create, thumbnail_path
from orgs.access import get_for_user


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def record_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """Every pair of a record: the two photos side by side with the score."""
    user = _user(request)
    record = get_for_user(MeetingRecord.objects.select_related("org"), user, pk)
    pairs = list(record_pairs(record))
    visible = visible_record_ids(user, pairs)
    context = {
        "record": record,
        "pairs": pairs,
        "visible_ids": visible,
        "can_explain": can_create(user, record.org),
        "can_review": can_patrol(user, record.org.path),
    }
    return render(request, "orglife/photos/record.html", context)


def _pair_of(request: HttpRequest, record: MeetingRecord) -> PhotoMatch:
    try:
        return record_pairs(record).get(pk=int(request.POST.get("match", "")))
    except (ValueError, PhotoMatch.DoesNotExist):
        raise ValidationError({"match": ["请选择要处理的照片比对"]}) from None


@login_required
@require_POST
def record_photos_explain(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_user(MeetingRecord.objects.select_related("org"), _user(request), pk, write=True)
    try:
        svc.explain_match(
            actor=_user(request),
            match=_pair_of(request, record),
            explanation=request.POST.get("explanation", ""),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, "情况说明已提交，待巡查核查")
    return redirect("orglife:record_photos", pk=record.pk)


@login_required
@require_POST
def record_photos_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = get_for_user(MeetingRecord.objects.select_related("org"), user, pk)
    if not can_patrol(user, record.org.path):
        raise PermissionDenied("只有巡查员或上级党组织管理员可以核查照片情况说明")
    try:
        svc.review_match(
            actor=user, match=_pair_of(request, record), accept=request.POST.get("decision") == "accept"
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, "核查结果已保存")
    return redirect("orglife:record_photos", pk=record.pk)


@login_required
def match_image(request: HttpRequest, pk: int, side: str) -> FileResponse:
    """One photo of a pair, for whoever sees either record (the patrol must see both photos)."""
    match = get_for_user(PhotoMatch.objects.select_related("photo", "other"), _user(request), pk)
    if side not in ("photo", "other"):
        raise Http404("未找到该照片")
    attachment = match.photo if side == "photo" else match.other
    name = thumbnail_path(attachment) if request.GET.get("thumb") else attachment.file.name
    try:
        handle = default_storage.open(name or "", "rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = FileResponse(handle, content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=3600)
    return response


@login_required
def match_list(request: HttpRequest) -> HttpResponse:
    """Pairs over the user's scope for the committee: reuse not yet explained away first."""
    query = request.GET if request.GET.get("show", "") in SHOWS else {}  # an unknown filter: the default
    found = PhotoMatchFilter(query, queryset=PhotoMatch.objects.visible_to(_user(request)))
    qs = found.qs.select_related("record__org", "other_record__org")
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    show = found.form.cleaned_data.get("show") or ""
    context = {"page": page, "show": show, "filters": [(k, v[0]) for k, v in SHOWS.items()]}
    return render(request, "orglife/photos/list.html", context)


record_urlpatterns = [
    path("<int:pk>/photos/", record_photos, name="record_photos"),
    path("<int:pk>/photos/explain/", record_photos_explain, name="record_photos_explain"),
    path("<int:pk>/photos/review/", record_photos_review, name="record_photos_review"),
]
urlpatterns = [
    path("", match_list, name="photo_match_list"),
    path("<int:pk>/<str:side>/", match_image, name="photo_match_image"),
]
