"""The official defaults of 信息报送 and 《组工信息》, with their sources.

- Quota (QUOTA_PER_PERSON_WEEK): 甘肃山丹 "完善机制强化组织部门自身建设", in 《安庆组工信息》2021年第35期
  (中共安庆市委组织部研究室, 2021-12-21), shared seed 003: 组工干部 "每人每周至少一篇" 信息.
- Per unit per month (QUOTA_PER_UNIT_MONTH): the source sets no unit figure; 4 (about one a week) is this
  template's own setting, edited per unit on the 报送任务 page.
- The journal (JOURNAL_*, SECTIONS, DISTRIBUTION): 《安庆组工信息》 2021年第35期, 2022年第35期 and 2023年第5期
  (shared seeds 003, 000, 004): 编印单位 中共安庆市委组织部研究室, sections ★ 市内信息 / ★ 市外参考, the
  领导批示 box on the first page and the 报/送/发 block at the end.
- Layout (PAGE_*, LINES_PER_PAGE, CHARS_PER_LINE): GB/T 9704-2012《党政机关公文格式》 5.2.1–5.2.4: A4,
  天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm, 正文 3号仿宋, 每面 22 行, 每行 28 字; 页码 4号, 单页居右
  双页居左, 一字线 "— 1 —", 距版心下边缘 7 mm.
"""

from __future__ import annotations

SOURCE_QUOTA = "《安庆组工信息》2021年第35期（中共安庆市委组织部研究室，2021-12-21）：甘肃山丹完善机制强化组织部门自身建设（每人每周至少一篇信息）"
SOURCE_JOURNAL = "《安庆组工信息》2021年第35期、2022年第35期、2023年第5期（中共安庆市委组织部研究室）"
SOURCE_LAYOUT = "GB/T 9704-2012《党政机关公文格式》"

QUOTA_PER_PERSON_WEEK = 1
QUOTA_PER_UNIT_MONTH = 4

JOURNAL_NAME = "组工信息"
JOURNAL_OFFICE = "中共安庆市委组织部研究室"
SECTIONS = ["市内信息", "市外参考"]
DISTRIBUTION = {
    "report_to": "省委组织部，本部领导。",
    "send_to": "各县（市、区）委书记、组织部长，市委各部委负责同志。",
    "issue_to": "电子版发县（市、区）委组织部、安庆先锋网。",
}

# The points item an adopted article earns its author (points.defaults "bulletin_adopted": 2 points, at most
# 10 a year), written through points.services.award_automatic; settings.BULLETINS_POINTS_ITEM overrides it
# ("" turns the points off). Source type of the ledger entries it writes:
POINTS_ITEM = "bulletin_adopted"
POINTS_SOURCE = "bulletins.article"

CATEGORIES = ["工作动态", "经验做法", "基层党建", "干部工作", "人才工作", "组织生活", "其他"]

# GB/T 9704-2012 geometry, millimetres.
PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN_TOP = 37.0
MARGIN_BOTTOM = 35.0
MARGIN_LEFT = 28.0
MARGIN_RIGHT = 26.0
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
PAGE_NUMBER_GAP = 7.0  # page number's baseline region below the 版心

# The rich text an article keeps: paragraphs, headings and emphasis only (see services.richtext).
ALLOWED_TAGS = frozenset({"p", "h2", "h3", "strong", "b", "em", "br"})
MAX_BODY_CHARS = 30000

# Pictures of an article (services.articles.add_image): at most this many, each re-encoded as JPEG.
MAX_IMAGES = 6
