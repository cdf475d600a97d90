"""Submitting (信息员), the editor's inbox, one article with its versions, and the editor's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bulletins import defaults, selectors
from bulletins.forms import AdoptForm, ArticleForm, EditorEditForm, ReturnForm
from bulletins.models import Article, ArticleImage
from bulletins.roles import EDIT_ROLES, SUBMIT_ROLES
from bulletins.services import articles as services
from bulletins.views.common import linkable_records, page_of, submit_units, user_of
from orgs.access import get_for_user, holds, require_tree
from orgs.forms import add_service_errors

TABS = [("", "全部"), *((v, label) for v, label in Article.State.choices)]


def _article(request: HttpRequest, pk: int, *, write: bool = False) -> Article:
    user = user_of(request)
    article = get_for_user(Article.objects.select_related("org", "author"), user, pk, write=write)
    if article.state == Article.State.DRAFT and article.author_id != user.pk:
        raise Http404("未找到该对象，或您无权访问")
    return article


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_tree(user)
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")
    items = selectors.article_list(user, q=q, state=state)
    return render(
        request,
        "bulletins/article_list.html",
        {
            "page": page_of(request, items),
            "tabs": TABS,
            "state": state,
            "q": q,
            "can_submit": holds(user, SUBMIT_ROLES),
            "can_edit": holds(user, EDIT_ROLES),
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """编辑的收稿箱: submitted articles waiting for a decision, oldest first."""
    user = user_of(request)
    require_tree(user)
    if not holds(user, EDIT_ROLES):
        raise PermissionDenied("只有编辑可以处理来稿")
    q = request.GET.get("q", "")
    items = selectors.article_list(user, q=q, state=Article.State.SUBMITTED).order_by("submitted_at", "id")
    return render(request, "bulletins/inbox.html", {"page": page_of(request, items), "q": q})


def _form_page(request: HttpRequest, form: ArticleForm, article: Article | None) -> HttpResponse:
    user = user_of(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_draft(
                actor=user,
                org=data["org"],
                title=data["title"],
                body=data["body"],
                byline=data["byline"],
                author_name=data["author_name"],
                category=data["category"],
                record=data.get("record"),
                article=article,
            )
            if request.POST.get("submit"):
                saved = services.submit_article(actor=user, article=saved)
                messages.success(request, "已报送，等待编辑处理")
            else:
                messages.success(request, "草稿已保存")
            return redirect("bulletins:article_detail", pk=saved.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "bulletins/article_form.html", {"form": form, "article": article})


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require_tree(user)
    units = submit_units(user)
    if not holds(user, SUBMIT_ROLES):
        raise PermissionDenied("只有信息员可以报送信息")
    initial = {"org": units.first(), "byline": getattr(units.first(), "short_name", "")}
    form = ArticleForm(request.POST or None, units=units, records=linkable_records(user), initial=initial)
    return _form_page(request, form, None)


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's draft or returned article, or an editor's change to a submitted one (a version)."""
    user = user_of(request)
    article = _article(request, pk, write=True)
    if article.author_id == user.pk and article.state in services.EDITABLE_BY_AUTHOR:
        initial = {
            f: getattr(article, f)
            for f in ("org", "title", "byline", "author_name", "category", "body", "record")
        }
        form = ArticleForm(
            request.POST or None, units=submit_units(user), records=linkable_records(user), initial=initial
        )
        return _form_page(request, form, article)
    if not services.can_edit(user, article):
        raise PermissionDenied("您不能修改该稿件")
    edit = EditorEditForm(request.POST or None, initial={"title": article.title, "body": article.body})
    if request.method == "POST" and edit.is_valid():
        try:
            services.edit_article(actor=user, article=article, **edit.cleaned_data)
            messages.success(request, "修改已保存为新版本，报送人可以看到修改前后的对照")
            return redirect("bulletins:article_detail", pk=article.pk)
        except ValidationError as exc:
            add_service_errors(edit, exc)
    return render(request, "bulletins/article_form.html", {"form": edit, "article": article, "editor": True})


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    article = _article(request, pk)
    return render(
        request,
        "bulletins/article_detail.html",
        {
            "article": article,
            "history": selectors.versions_with_diffs(article),
            "events": article.events.select_related("actor"),
            "entry": getattr(article, "entry", None),
            "is_author": article.author_id == user.pk,
            "can_edit": services.can_edit(user, article),
            "images": list(article.images.all()),
            "can_change_images": services.can_change_images(user, article),
            "max_images": defaults.MAX_IMAGES,
            "return_form": ReturnForm(),
            "adopt_form": AdoptForm(),
        },
    )


@login_required
@require_POST
def article_submit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk, write=True)
    try:
        services.submit_article(actor=user_of(request), article=article)
        messages.success(request, "已报送，等待编辑处理")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:article_detail", pk=article.pk)


@login_required
@require_POST
def article_return(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk, write=True)
    form = ReturnForm(request.POST)
    try:
        services.return_article(
            actor=user_of(request),
            article=article,
            reason=form.data.get("reason", "") if form.is_valid() else "",
        )
        messages.success(request, "已退回报送单位")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:article_detail", pk=article.pk)


@login_required
@require_POST
def article_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk, write=True)
    try:
        services.adopt_article(
            actor=user_of(request), article=article, adoption=request.POST.get("adoption", "")
        )
        messages.success(request, "已采用")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:article_detail", pk=article.pk)


@login_required
@require_POST
def article_image_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a picture to the article (checked by its content, EXIF stripped); errors come back in Chinese."""
    article = _article(request, pk, write=True)
    upload = request.FILES.get("image")
    try:
        if upload is None:
            raise ValidationError({"image": ["请选择要上传的图片"]})
        services.add_image(
            actor=user_of(request), article=article, upload=upload, caption=request.POST.get("caption", "")
        )
        messages.success(request, "图片已上传")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:article_detail", pk=article.pk)


def _image(request: HttpRequest, pk: int, image: int, *, write: bool = False) -> ArticleImage:
    article = _article(request, pk, write=write)
    found = ArticleImage.objects.filter(article=article, pk=image).select_related("article__org").first()
    if found is None:
        raise Http404("未找到该对象，或您无权访问")
    return found


@login_required
def article_image_file(request: HttpRequest, pk: int, image: int) -> FileResponse:
    """The picture's bytes, for whoever may read the article."""
    found = _image(request, pk, image)
    response = FileResponse(found.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def article_image_delete(request: HttpRequest, pk: int, image: int) -> HttpResponse:
    found = _image(request, pk, image, write=True)
    try:
        services.remove_image(actor=user_of(request), image=found)
        messages.success(request, "图片已删除")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("bulletins:article_detail", pk=pk)
