"""The dossier (档案材料) of a person: marking a document as held, and its index as PDF."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import User
from development.models import Document, Person
from development.services import dossier
from orgs.access import get_for_user


@login_required
@require_POST
def document_mark(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(Person.objects.select_related("org"), request.user, pk, write=True)
    try:
        doc = dossier.mark_document(
            actor=cast(User, request.user),
            person=person,
            kind=request.POST.get("kind", ""),
            on_paper=request.POST.get("on_paper", "1") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("development:person_detail", pk=person.pk)
    messages.success(request, f"已核对：{doc.get_kind_display()}")
    return redirect("development:person_detail", pk=person.pk)


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(Person.objects.select_related("org"), request.user, pk, write=True)
    try:
        doc = dossier.upload_document(
            actor=cast(User, request.user),
            person=person,
            kind=request.POST.get("kind", ""),
            upload=request.FILES.get("file"),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("development:person_detail", pk=person.pk)
    messages.success(request, f"已上传：{doc.get_kind_display()}（{doc.original_name}）")
    return redirect("development:person_detail", pk=person.pk)


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The stored scan, to readers of the person's branch only (404 outside the scope)."""
    doc = get_for_user(Document.objects.select_related("person"), request.user, pk)
    if not doc.file:
        raise Http404("该材料没有扫描件")
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(doc.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(Person.objects.select_related("org"), request.user, pk)
    try:
        content = dossier.dossier_pdf(person)
    except dossier.FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'{person.name}-入党材料目录.pdf')}"
    return response


urlpatterns = [
    path("<int:pk>/dossier/mark/", document_mark, name="document_mark"),
    path("<int:pk>/dossier.pdf", dossier_pdf, name="dossier_pdf"),
    path("<int:pk>/dossier/upload/", document_upload, name="document_upload"),
    path("document/<int:pk>/", document_file, name="document_file"),
]
