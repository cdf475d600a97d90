"""Demo data of 信息报送 and 《组工信息》 for the generated demo county.

`generate_bulletins_demo(seed=, scale=)` writes, through the services, deterministically for a seed:
- a 信息员 (a staff login with an unusable password) on each of the first 党(工)委 and an editor on the
  county, named as in the seeds' units;
- the journal 《安庆组工信息》 edited on the county, with the default sections and 报/送/发 block;
- the three seed issues (shared seeds 000, 003, 004: 2022年第35期, 2021年第35期, 2023年第5期) re-composed
  from their articles (fixtures/seed_issues.json, public news text): each article submitted by a 信息员,
  adopted 全文 and placed in its section; each year's paper sequence continued at the seed's 期号
  (set_next_number) and the issue published on its date;
- this year's work: articles from the 党(工)委 in every state — drafts, submitted, returned with comments
  and resubmitted, edited by the editor (versions), adopted as 全文 / 简讯综合 / 推荐上级 — a published issue
  and a draft issue with adopted articles for the editor to finish, and a quota set on one unit.

Does nothing if a journal exists.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import secrets
import time
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.services import create_user, grant_role
from bulletins.models import Article, Issue, Journal
from bulletins.services import articles, issues, quotas
from orgs.demo import DEMO_COUNTY_CODE
from orgs.models import Organization
from orgs.roles import Role

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "seed_issues.json"
JOURNAL = "安庆组工信息"

TOPICS = [
    ("开展“党员积分制”管理 激发党员干事热情", "建立积分台账", "每月公示积分", "年终评先评优与积分挂钩"),
    ("推行组织生活“提示单” 规范“三会一课”", "按月下发提示单", "逐项对照开展", "上级党组织跟踪督导"),
    ("建立组织生活观察员制度 推动组织生活提质增效", "选优配强观察员", "全程观察评价", "问题整改销号"),
    ("实施“头雁”培育工程 建强支部书记队伍", "分层分类培训", "结对帮带提升", "考核评价激励"),
    ("深化“智慧党建”平台应用 提升党建工作信息化水平", "数据一网汇聚", "纪实线上留痕", "问题实时预警"),
    ("开展“主题党日+” 活动 推动党员作用发挥", "围绕中心定主题", "结合实际办实事", "群众评议看成效"),
    ("强化发展党员全程纪实 严把党员入口关", "严格程序把关", "全程纪实留痕", "定期督查通报"),
    ("推进“两新”组织党建 扩大党的组织覆盖", "摸清底数建组织", "选派党建指导员", "以党建促发展"),
]
RETURN_REASONS = ["请补充具体数据和成效", "标题请突出做法，正文压缩到800字以内", "请核实文中人数和场次"]


def _county() -> Organization | None:
    return (
        Organization.objects.filter(code=DEMO_COUNTY_CODE).first()
        or Organization.objects.filter(parent__isnull=True).order_by("path").first()
    )


def _staff(username: str, display_name: str, role: str, org: Organization) -> User:
    """A demo staff login: created through accounts' services, with a password nobody knows."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(
            actor=None,
            username=username,
            password=secrets.token_urlsafe(18) + "Aa1!",
            display_name=display_name,
            must_change_password=False,
        )
    grant_role(actor=None, user=user, org=org, role=role)
    return user


def _body(rng: random.Random, unit: str, steps: tuple[str, ...]) -> str:
    paragraphs = [
        f"<p>今年以来，{unit}坚持问题导向，围绕基层党建重点任务，创新工作方法，取得了阶段性成效。</p>",
        *(
            f"<p><strong>{step}。</strong>{unit}制定工作方案，明确责任分工，"
            f"共组织开展相关活动{rng.randint(8, 60)}场次，覆盖党员{rng.randint(200, 3000)}名，"
            f"形成经验做法{rng.randint(3, 12)}条。</p>"
            for step in steps
        ),
        "<p>下一步，将持续总结经验，完善长效机制，推动工作常态长效。</p>",
    ]
    return "".join(paragraphs)


def _demo_image(rng: random.Random, committee: Organization, editor: User) -> int:
    """A picture on the first waiting article, added by the editor through the service (drawn here: a
    banner over a meeting-room table, so the demo needs no photo file)."""
    waiting = Article.objects.filter(state=Article.State.SUBMITTED).order_by("id")
    article = waiting.filter(org__path__startswith=committee.path).first() or waiting.first()
    if article is None:
        return 0
    picture = Image.new("RGB", (960, 600), (236, 232, 224))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((80, 60, 880, 170), fill=(200, 16, 46))  # the red banner
    draw.rectangle((160, 380, 800, 470), fill=(120, 84, 60))  # the table
    for i in range(8):
        x = 190 + i * 80
        draw.ellipse((x, 300 + rng.randint(-8, 8), x + 44, 344), fill=(40, 40, 48))  # people
    out = io.BytesIO()
    picture.save(out, "PNG")
    upload = SimpleUploadedFile("组织生活会现场.png", out.getvalue(), content_type="image/png")
    articles.add_image(actor=editor, article=article, upload=upload, caption="组织生活会现场")
    return 1


def generate_bulletins_demo(*, seed: int, scale: str, stdout: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    county = _county()
    if county is None:
        return {"skipped": True, "reason": "尚无组织数据，请先运行 generate_demo"}
    if Journal.objects.exists():
        return {"skipped": True, "reason": "已有刊物"}
    rng = random.Random(seed * 7919 + 18)
    committees = list(
        Organization.objects.under(county, include_self=False)
        .filter(kind__in=[Organization.Kind.COMMITTEE, Organization.Kind.WORKING_COMMITTEE])
        .order_by("path")[: 4 if scale == "tiny" else 12]
    )
    if not committees:
        return {"skipped": True, "reason": "没有党(工)委"}
    today = timezone.localdate()
    with transaction.atomic():
        editor = _staff("xxb_editor", "县委组织部信息科", Role.EDITOR, county)
        officers = [
            _staff(f"xxb_officer_{i + 1}", f"{c.short_name or c.name}信息员", Role.INFO_OFFICER, c)
            for i, c in enumerate(committees)
        ]
        journal = issues.create_journal(actor=editor, org=county, name=JOURNAL)
        seeded = _seed_issues(journal, editor, officers, committees)
        counts = _this_year(rng, journal, editor, officers, committees, today)
        quotas.set_quota(actor=editor, org=committees[0], per_person_week=1, per_unit_month=4)
        counts["images"] = _demo_image(rng, committees[0], editor)
    result = {
        "seed_issues": seeded,
        **counts,
        "articles": Article.objects.count(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if stdout is not None:
        stdout.write(
            f"信息报送：{result['articles']} 篇稿件，{Issue.objects.count()} 期《{JOURNAL}》"
            f"（含 3 期种子期刊）（{result['seconds']} 秒）。"
        )
    return result


def _seed_issues(journal: Journal, editor: User, officers: list[User], committees: list[Organization]) -> int:
    """The three seed issues, oldest first, each article submitted by one of the demo's 信息员."""
    data = sorted(json.loads(FIXTURES.read_text(encoding="utf-8")), key=lambda s: s["date"])
    for n, spec in enumerate(data):
        day = dt.date.fromisoformat(spec["date"])
        issues.set_next_number(actor=editor, journal=journal, year=day.year, next_number=spec["number"])
        issue = issues.create_issue(actor=editor, journal=journal, issue_date=day)
        for i, item in enumerate(spec["articles"]):
            k = (n + i) % len(officers)
            article = articles.save_draft(
                actor=officers[k],
                org=committees[k],
                title=item["title"],
                body=item["body"],
                byline=item["byline"],
                category="经验做法",
            )
            articles.submit_article(actor=officers[k], article=article)
            articles.adopt_article(actor=editor, article=article, adoption=Article.Adoption.FULL)
            issues.place_article(actor=editor, issue=issue, article=article, section=item["section"])
        issues.publish_issue(
            actor=editor, issue=issue, at=timezone.make_aware(dt.datetime.combine(day, dt.time(16, 0)))
        )
    return len(data)


def _this_year(
    rng: random.Random,
    journal: Journal,
    editor: User,
    officers: list[User],
    committees: list[Organization],
    today: dt.date,
) -> dict[str, int]:
    adopted: list[Article] = []
    states: dict[str, int] = {}
    # three articles a unit; the first unit gets an adopted, a submitted and a returned one
    plan = [
        "adopt",
        "draft",
        "edited",
        "submitted",
        "edited",
        "brief",
        "returned",
        "resubmitted",
        "recommend",
    ]
    rounds = [
        (r, k, officer, org)
        for r in range(3)
        for k, (officer, org) in enumerate(zip(officers, committees, strict=True))
    ]
    for i, (r, k, officer, org) in enumerate(rounds):
        topic = TOPICS[(i + rng.randrange(len(TOPICS))) % len(TOPICS)]
        unit = org.short_name or org.name
        fate = plan[(r * 3 + k) % len(plan)]
        article = articles.save_draft(
            actor=officer,
            org=org,
            title=f"{unit}：{topic[0]}",
            body=_body(rng, unit, topic[1:]),
            byline=f"{unit}",
            author_name=officer.display_name[:4] if officer.display_name else "",
            category=rng.choice(["工作动态", "经验做法", "基层党建", "组织生活"]),
        )
        states[fate] = states.get(fate, 0) + 1
        if fate == "draft":
            continue
        articles.submit_article(actor=officer, article=article)
        if fate in ("returned", "resubmitted"):
            articles.return_article(actor=editor, article=article, reason=rng.choice(RETURN_REASONS))
            if fate == "resubmitted":
                article.refresh_from_db()
                articles.save_draft(
                    actor=officer,
                    org=org,
                    article=article,
                    title=article.title,
                    body=article.body + "<p>截至目前，已覆盖全部基层党组织。</p>",
                    byline=article.byline,
                )
                articles.submit_article(actor=officer, article=article)
            continue
        if fate == "edited":
            articles.edit_article(
                actor=editor,
                article=article,
                title=article.title.replace("：", "：扎实"),
                body=article.body.replace("取得了阶段性成效", "取得明显成效"),
                note="精简标题、规范表述",
            )
        if fate in ("adopt", "edited"):
            adopted.append(
                articles.adopt_article(actor=editor, article=article, adoption=Article.Adoption.FULL)
            )
        elif fate == "brief":
            adopted.append(
                articles.adopt_article(actor=editor, article=article, adoption=Article.Adoption.BRIEF)
            )
        elif fate == "recommend":
            articles.adopt_article(actor=editor, article=article, adoption=Article.Adoption.RECOMMEND)
    # one issue out this year, one being composed
    half = max(1, len(adopted) // 2)
    out = issues.create_issue(actor=editor, journal=journal, issue_date=today - dt.timedelta(days=14))
    for article in adopted[:half]:
        issues.place_article(actor=editor, issue=out, article=article, section=journal.sections[0])
    issues.publish_issue(actor=editor, issue=out)
    draft = issues.create_issue(actor=editor, journal=journal, issue_date=today)
    for article in adopted[half:-1]:
        issues.place_article(actor=editor, issue=draft, article=article, section=journal.sections[0])
    return {"this_year": sum(states.values()), "adopted": len(adopted)}
