"""Writes of an article: draft, submit, return with comments, the editor's versions, adoption.

草稿 → 已报送 → 已采用 (全文采用 / 简讯综合 / 推荐上级), or 已报送 → 已退回 (with the editor's comments) →
edited by the author → 已报送 again. The author's text at each submission and every editor's change are
versions; the author sees the differences between them (selectors.versions_with_diffs).
"""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from bulletins import defaults
from bulletins.models import Article, ArticleEvent, ArticleImage, ArticleVersion
from bulletins.roles import EDIT_ROLES, SUBMIT_ROLES
from bulletins.services.richtext import clean_html, plain_text
from orglife.models import MeetingRecord
from orglife.uploads import clean_photo
from orgs.access import holds, own_member_id
from orgs.models import Member, Organization
from points.services import award_automatic

EDITABLE_BY_AUTHOR = (Article.State.DRAFT, Article.State.RETURNED)


def content_errors(*, title: str, body: str, byline: str) -> dict[str, list[str]]:
    """The rules of an article's text, shared by the form, the API and the demo's bulk path."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写标题"]
    elif len(title.strip()) > 120:
        errors["title"] = ["标题不能超过120个字"]
    if not plain_text(body).strip():
        errors["body"] = ["请填写正文（粘贴的内容清理格式后为空）"]
    elif len(body) > defaults.MAX_BODY_CHARS:
        errors["body"] = [f"正文过长（清理格式后超过{defaults.MAX_BODY_CHARS}个字符），请分篇报送"]
    if not byline.strip():
        errors["byline"] = ["请填写署名单位，如：桐城市委组织部"]
    elif len(byline.strip()) > 60:
        errors["byline"] = ["署名单位不能超过60个字"]
    return errors


def linkable_records(org: Organization) -> Any:
    """The 组织生活 records an article of `org` may report on: approved ones of the unit or a branch under it."""
    return MeetingRecord.objects.filter(
        org__path__startswith=org.path, status=MeetingRecord.Status.APPROVED
    ).select_related("org")


def can_submit(actor: User, org: Organization) -> bool:
    return holds(actor, SUBMIT_ROLES, org.path)


def can_edit(actor: User, article: Article) -> bool:
    return holds(actor, EDIT_ROLES, article.org.path)


def _event(article: Article, actor: User, action: str, note: str = "", at: Any = None) -> None:
    ArticleEvent.objects.create(
        article=article, action=action, note=note, actor=actor, at=at or timezone.now()
    )


def _version(article: Article, actor: User, kind: str, note: str = "", at: Any = None) -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        kind=kind,
        title=article.title,
        body=article.body,
        note=note,
        by=actor,
        created_at=at or timezone.now(),
    )


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().select_related("org").get(pk=article.pk)


@transaction.atomic
def save_draft(
    *,
    actor: User,
    org: Organization,
    title: str,
    body: str,
    byline: str,
    author_name: str = "",
    category: str = "",
    record: MeetingRecord | None = None,
    article: Article | None = None,
) -> Article:
    """Create or change an article's draft (a returned article is changed the same way, then resubmitted)."""
    if not can_submit(actor, org):
        raise PermissionDenied("您不是该单位的信息员，不能为其报送信息")
    body = clean_html(body)
    errors = content_errors(title=title, body=body, byline=byline)
    if category and category not in defaults.CATEGORIES:
        errors["category"] = ["请选择列表中的类别"]
    if record is not None and not linkable_records(org).filter(pk=record.pk).exists():
        errors["record"] = ["只能关联本单位或下级党组织已审核的组织生活纪实"]
    if errors:
        raise ValidationError(errors)
    fields = {
        "org": org,
        "title": title.strip(),
        "body": body,
        "byline": byline.strip(),
        "author_name": author_name.strip()[:40],
        "category": category,
        "record": record,
    }
    if article is None:
        return Article.objects.create(author=actor, **fields)
    article = _locked(article)
    if article.author_id != actor.pk:
        raise PermissionDenied("只有报送人可以修改稿件")
    if article.state not in EDITABLE_BY_AUTHOR:
        raise ValidationError(f"稿件{article.get_state_display()}，不能再修改")
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    return article


@transaction.atomic
def submit_article(*, actor: User, article: Article) -> Article:
    """报送 (or 再次报送 after a return): the text as submitted becomes a version."""
    article = _locked(article)
    if article.author_id != actor.pk:
        raise PermissionDenied("只有报送人可以报送稿件")
    if not can_submit(actor, article.org):
        raise PermissionDenied("您不是该单位的信息员，不能为其报送信息")
    if article.state not in EDITABLE_BY_AUTHOR:
        raise ValidationError(f"稿件{article.get_state_display()}，不能重复报送")
    errors = content_errors(title=article.title, body=article.body, byline=article.byline)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    resubmit = article.state == Article.State.RETURNED
    article.state = Article.State.SUBMITTED
    article.submissions += 1
    article.submitted_at = now
    article.return_reason = ""
    article.save()
    _version(article, actor, ArticleVersion.Kind.AUTHOR, "再次报送" if resubmit else "报送", now)
    _event(article, actor, "resubmitted" if resubmit else "submitted", at=now)
    record_event(actor=actor, action=AuditEvent.Action.UPDATE, target=article, summary={"state": "submitted"})
    return article


def _editor_article(actor: User, article: Article) -> Article:
    article = _locked(article)
    if not can_edit(actor, article):
        raise PermissionDenied("您不是编辑，不能处理该稿件")
    return article


@transaction.atomic
def return_article(*, actor: User, article: Article, reason: str) -> Article:
    """退回 with the editor's comments; the author changes the draft and submits again."""
    article = _editor_article(actor, article)
    if article.state != Article.State.SUBMITTED:
        raise ValidationError(f"稿件{article.get_state_display()}，只有已报送的稿件可以退回")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写退回意见"]})
    article.state = Article.State.RETURNED
    article.return_reason = reason.strip()
    article.save()
    _event(article, actor, "returned", reason.strip())
    record_event(actor=actor, action=AuditEvent.Action.UPDATE, target=article, summary={"state": "returned"})
    return article


@transaction.atomic
def edit_article(*, actor: User, article: Article, title: str, body: str, note: str = "") -> Article:
    """An editor's change to a submitted or adopted article, kept as a version (not once it is published)."""
    article = _editor_article(actor, article)
    if article.state not in (Article.State.SUBMITTED, Article.State.ADOPTED):
        raise ValidationError(f"稿件{article.get_state_display()}，编辑不能修改")
    entry = getattr(article, "entry", None)
    if entry is not None and entry.issue.status == entry.issue.Status.PUBLISHED:
        raise ValidationError("稿件所在期刊已印发，不能再修改；请发更正")
    body = clean_html(body)
    errors = content_errors(title=title, body=body, byline=article.byline)
    if errors:
        raise ValidationError(errors)
    if title.strip() == article.title and body == article.body:
        raise ValidationError("没有修改任何内容")
    article.title, article.body = title.strip(), body
    article.save()
    _version(article, actor, ArticleVersion.Kind.EDITOR, note.strip()[:200])
    _event(article, actor, "edited", note.strip())
    return article


@transaction.atomic
def adopt_article(*, actor: User, article: Article, adoption: str) -> Article:
    """采用 as 全文 / 简讯综合 / 推荐上级."""
    article = _editor_article(actor, article)
    if adoption not in Article.Adoption.values:
        raise ValidationError({"adoption": ["请选择采用方式"]})
    if article.state != Article.State.SUBMITTED:
        raise ValidationError(f"稿件{article.get_state_display()}，只有已报送的稿件可以采用")
    now = timezone.now()
    article.state = Article.State.ADOPTED
    article.adoption = adoption
    article.adopted_at = now
    article.save()
    _event(article, actor, "adopted", Article.Adoption(adoption).label, now)
    record_event(actor=actor, action=AuditEvent.Action.UPDATE, target=article, summary={"state": "adopted"})
    _award_points(actor, article)
    return article


def points_item() -> str:
    """The points item of an adoption (defaults.POINTS_ITEM unless settings say otherwise; "" for none)."""
    return str(getattr(settings, "BULLETINS_POINTS_ITEM", defaults.POINTS_ITEM))


def _award_points(actor: User, article: Article) -> None:
    """The author's points for the adoption, once per article, when the author is a party member and the
    member's catalogue has the item in force (award_automatic is a no-op otherwise; its caps apply)."""
    item = points_item()
    member_id = own_member_id(article.author)
    if not item or member_id is None:
        return
    member = Member.objects.select_related("org").get(pk=member_id)
    award_automatic(
        actor=actor,
        member=member,
        item_code=item,
        occurred_on=timezone.localdate(article.adopted_at),
        source_type=defaults.POINTS_SOURCE,
        source_id=str(article.pk),
        note=f"信息《{article.title[:60]}》{article.get_adoption_display()}",
    )


def can_change_images(actor: User, article: Article) -> bool:
    """The author while the article is theirs to change; an editor while it waits or is adopted, unpublished."""
    if article.author_id == actor.pk and article.state in EDITABLE_BY_AUTHOR:
        return True
    if article.state not in (Article.State.SUBMITTED, Article.State.ADOPTED) or not can_edit(actor, article):
        return False
    entry = getattr(article, "entry", None)
    return entry is None or entry.issue.status != entry.issue.Status.PUBLISHED


@transaction.atomic
def add_image(*, actor: User, article: Article, upload: Any, caption: str = "") -> ArticleImage:
    """A picture checked by its bytes (JPG/PNG/WebP, size and pixel limits), turned upright and written
    again as a JPEG holding only the pixels: EXIF, GPS and anything appended to the file are gone."""
    article = _locked(article)
    if not can_change_images(actor, article):
        raise PermissionDenied("您不能修改该稿件的图片")
    if article.images.count() >= defaults.MAX_IMAGES:
        raise ValidationError({"image": [f"每篇稿件最多 {defaults.MAX_IMAGES} 张图片"]})
    try:
        clean = clean_photo(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    width, height = Image.open(io.BytesIO(clean.content)).size
    image = ArticleImage(
        article=article,
        stored_name=f"{secrets.token_hex(16)}.jpg",
        caption=caption.strip()[:60],
        original_name=clean.original_name[:200],
        width=width,
        height=height,
        size=len(clean.content),
        position=(article.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1,
        added_by=actor,
    )
    image.file.save(image.stored_name, ContentFile(clean.content), save=False)
    try:
        image.save()
        _event(article, actor, "image_added", image.caption or image.original_name)
    except Exception:
        image.file.delete(save=False)  # no stored file without its row
        raise
    return image


@transaction.atomic
def remove_image(*, actor: User, image: ArticleImage) -> None:
    article = _locked(image.article)
    if not can_change_images(actor, article):
        raise PermissionDenied("您不能修改该稿件的图片")
    name = str(image.file.name)
    image.delete()
    _event(article, actor, "image_removed", image.caption or image.original_name)
    storage = image.file.storage
    transaction.on_commit(lambda: storage.delete(name))
