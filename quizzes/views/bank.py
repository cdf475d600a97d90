"""The question bank pages: list with search and filters, a question with its versions, the editor,
categories, import (xlsx, GIFT, Aiken), the template and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import get_for_user, holds
from orgs.forms import add_service_errors
from quizzes import formats, services
from quizzes.forms import CategoryForm, ImportForm, QuestionForm
from quizzes.models import Category, Difficulty, Question, Tag
from quizzes.roles import BANK_ROLES
from quizzes.services.imports import (
    XLSX_CONTENT_TYPE,
    ImportFileError,
    answer_text,
    build_template,
    export_xlsx,
    import_text,
    import_xlsx,
)
from quizzes.views.common import bank_orgs, page_of, require_bank, require_staff, writable_categories

MAX_TEXT_IMPORT = 5 * 1024 * 1024


def _filtered(request: HttpRequest) -> tuple[QuerySet[Question], dict[str, str]]:
    qs = Question.objects.visible_to(request.user).select_related("current", "category", "org")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "category", "kind", "difficulty", "tag", "status")}
    if f["q"]:
        qs = qs.filter(Q(current__stem__icontains=f["q"]) | Q(current__source__icontains=f["q"]))
    if f["category"].isdigit():
        qs = qs.filter(category_id=int(f["category"]))
    if f["kind"] in Question.Kind.values:
        qs = qs.filter(kind=f["kind"])
    if f["difficulty"].isdigit():
        qs = qs.filter(difficulty=int(f["difficulty"]))
    if f["tag"]:
        qs = qs.filter(tags__name=f["tag"])
    qs = qs.filter(retired_at__isnull=f["status"] != "retired")
    return qs.order_by("-pk"), f


@login_required
def bank(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    qs, f = _filtered(request)
    categories = Category.objects.visible_to(request.user).select_related("parent", "parent__parent")
    context = {
        "page": page_of(request, qs),
        "f": f,
        "categories": sorted(categories, key=lambda c: c.label()),
        "kinds": Question.Kind.choices,
        "difficulties": Difficulty.choices,
        "tags": Tag.objects.filter(questions__in=Question.objects.visible_to(request.user)).distinct()[:60],
        "can_edit": holds(request.user, BANK_ROLES),
    }
    return render(request, "quizzes/bank.html", context)


@login_required
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_user(Question.objects.select_related("current", "category", "org"), request.user, pk)
    versions = list(question.versions.select_related("created_by").order_by("-number"))
    for v in versions:
        v.answer_label = answer_text(question.kind, v.answer)  # type: ignore[attr-defined]
    can_edit = holds(request.user, BANK_ROLES, question.org.path)
    answered = question.attempt_items.exclude(credit=None)
    stats = {"answered": answered.count(), "right": answered.filter(credit=1).count()}
    return render(
        request,
        "quizzes/question_detail.html",
        {"question": question, "versions": versions, "can_edit": can_edit, "stats": stats},
    )


def _question_form(request: HttpRequest, question: Question | None) -> HttpResponse:
    initial = QuestionForm.initial_for(question) if question else None
    form = QuestionForm(request.POST or None, initial=initial, categories=writable_categories(request))
    if question is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                saved = services.create_question(
                    actor=request.user, category=form.cleaned_data["category"], data=form.data_out()
                )
                messages.success(request, "题目已保存")
            else:
                saved = services.edit_question(
                    actor=request.user,
                    question=question,
                    category=form.cleaned_data["category"],
                    data=form.data_out(),
                )
                messages.success(request, f"已保存为第 {saved.current.number if saved.current else 1} 版")
            return redirect("quizzes:question_detail", pk=saved.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "quizzes/question_form.html", {"form": form, "question": question})


@login_required
def question_create(request: HttpRequest) -> HttpResponse:
    require_bank(request)
    return _question_form(request, None)


@login_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_user(Question.objects.select_related("current", "org"), request.user, pk, write=True)
    return _question_form(request, question)


@require_POST
@login_required
def question_retire(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_user(Question.objects.select_related("org"), request.user, pk, write=True)
    retire = request.POST.get("restore") != "1"
    services.retire_question(actor=request.user, question=question, retire=retire)
    messages.success(request, "题目已停用，不再被抽取" if retire else "题目已恢复使用")
    return redirect("quizzes:question_detail", pk=question.pk)


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    can_edit = holds(request.user, BANK_ROLES)
    writable = writable_categories(request)
    form = CategoryForm(request.POST or None, categories=writable)
    orgs = bank_orgs(request)
    if request.method == "POST":
        require_bank(request)
        org = orgs.filter(pk=request.POST.get("org") or 0).first() or orgs.first()
        if form.is_valid() and org is not None:
            parent = form.cleaned_data["parent"]
            try:
                services.create_category(
                    actor=request.user,
                    org=parent.org if parent else org,
                    name=form.cleaned_data["name"],
                    parent=parent,
                )
                messages.success(request, "分类已添加")
                return redirect("quizzes:categories")
            except ValidationError as exc:
                add_service_errors(form, exc)
    rows = sorted(
        Category.objects.visible_to(request.user).select_related("org", "parent", "parent__parent"),
        key=lambda c: (c.org.path, c.label()),
    )
    counts = dict(
        Question.objects.filter(category__in=rows, retired_at__isnull=True)
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    return render(
        request,
        "quizzes/categories.html",
        {
            "rows": [(c, counts.get(c.pk, 0)) for c in rows],
            "form": form,
            "can_edit": can_edit,
            "orgs": orgs[:50],
        },
    )


@login_required
def import_questions(request: HttpRequest) -> HttpResponse:
    require_bank(request)
    orgs = bank_orgs(request)
    form = ImportForm(request.POST or None, request.FILES or None, categories=writable_categories(request))
    result = None
    if request.method == "POST" and form.is_valid():
        org = orgs.filter(pk=request.POST.get("org") or 0).first() or orgs.first()
        fmt = form.cleaned_data["fmt"]
        upload = form.cleaned_data["file"]
        category = form.cleaned_data["category"]
        try:
            if org is None:
                raise ImportFileError("您没有可维护的题库")
            if fmt == "xlsx":
                result = import_xlsx(actor=request.user, org=org, file=upload)
            else:
                if upload.size > MAX_TEXT_IMPORT:
                    raise ImportFileError("文本文件不能超过 5 MB")
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise ImportFileError("文本文件应为 UTF-8 编码") from None
                result = import_text(
                    actor=request.user, org=category.org, text=text, fmt=fmt, category=category
                )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        if result is not None and result.ok:
            skipped = f"，跳过重复题目 {len(result.duplicates)} 道" if result.duplicates else ""
            messages.success(request, f"已导入 {result.created} 道题目{skipped}")
    return render(request, "quizzes/import.html", {"form": form, "result": result, "orgs": orgs[:50]})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    require_bank(request)
    org = bank_orgs(request).first()
    response = HttpResponse(build_template(org) if org else b"", content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E9%A2%98%E5%BA%93%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx (the import template's columns), GIFT or Aiken."""
    require_staff(request)
    qs, _ = _filtered(request)
    fmt = request.GET.get("format", "xlsx")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt in ("gift", "aiken"):
        rows = qs.select_related("category__parent__parent").order_by("category_id", "pk")
        text, skipped = (formats.write_gift if fmt == "gift" else formats.write_aiken)(
            rows.iterator(chunk_size=500)
        )
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename=questions_{stamp}.{fmt}.txt"
        response["X-Skipped-Questions"] = str(skipped)
    else:
        response = HttpResponse(export_xlsx(qs), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename=questions_{stamp}.xlsx"
    record_event(actor=request.user, action=AuditEvent.Action.EXPORT, target_repr=f"题库导出（{fmt}）")
    return response
