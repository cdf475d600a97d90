"""Deterministic demo data: a county, a city or a province of party organizations and members.

`iter_chunks` is a pure plan: the same seed gives the same organizations, codes, names, ID numbers
and dates, one county (a `Chunk`) at a time, with each county's members produced lazily.
`write` streams that plan into the database level by level and in member batches, so memory stays
bounded even at province scale (~4M members).

Dates are drawn relative to the fixed REF_DATE so two runs are identical. The only exception is the
handful of deliberately "expiring" terms, placed relative to the real `today` so that the 问题清单
keeps showing them whenever the demo is generated.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import resource
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from faker.providers.person.zh_CN import Provider as ZhPersonProvider

import personal
from orgs import reference
from orgs.bulkinsert import insert_rows
from orgs.models import Member, Organization, Position
from orgs.paths import encode_step
from personal.idcard import make

REF_DATE = dt.date(2026, 11, 1)  # the fixed "today" every generated date is drawn against
SCALES = ("tiny", "county", "city", "province")

K = Organization.Kind
C = Organization.UnitCategory
T = Position.Title


def _words(text: str) -> list[str]:
    return text.split()


# ---------------------------------------------------------------------------------------------
# Anhui administrative divisions (GB/T 2260 codes) used for names and ID-number region codes.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    code: str
    name: str

    @property
    def stem(self) -> str:
        """宿松县 → 宿松 (what enterprises and schools put in front of their names)."""
        return self.name[:-1] if len(self.name) > 2 else self.name

    @property
    def level_char(self) -> str:
        return self.name[-1]  # 县 / 区 / 市


@dataclass(frozen=True)
class City:
    code: str
    name: str
    counties: tuple[Region, ...]


def _city(code: str, name: str, table: str) -> City:
    words = table.split()
    return City(code, name, tuple(Region(c, n) for c, n in zip(words[::2], words[1::2], strict=True)))


PROVINCE = Region("340000", "安徽省")
ANHUI = (
    _city(
        "340100",
        "合肥市",
        "340102 瑶海区 340103 庐阳区 340104 蜀山区 340111 包河区 340121 长丰县 "
        "340122 肥东县 340123 肥西县 340124 庐江县 340181 巢湖市",
    ),
    _city(
        "340200",
        "芜湖市",
        "340202 镜湖区 340207 鸠江区 340209 弋江区 340210 湾沚区 340212 繁昌区 340223 南陵县 340281 无为市",
    ),
    _city(
        "340300",
        "蚌埠市",
        "340302 龙子湖区 340303 蚌山区 340304 禹会区 340311 淮上区 340321 怀远县 340322 五河县 340323 固镇县",
    ),
    _city(
        "340400",
        "淮南市",
        "340402 大通区 340403 田家庵区 340404 谢家集区 340405 八公山区 340406 潘集区 "
        "340421 凤台县 340422 寿县",
    ),
    _city(
        "340500",
        "马鞍山市",
        "340503 花山区 340504 雨山区 340506 博望区 340521 当涂县 340522 含山县 340523 和县",
    ),
    _city("340600", "淮北市", "340602 杜集区 340603 相山区 340604 烈山区 340621 濉溪县"),
    _city("340700", "铜陵市", "340705 铜官区 340706 义安区 340711 郊区 340722 枞阳县"),
    _city(
        "340800",
        "安庆市",
        "340826 宿松县 340802 迎江区 340803 大观区 340811 宜秀区 340822 怀宁县 "
        "340825 太湖县 340827 望江县 340828 岳西县 340881 桐城市 340882 潜山市",
    ),
    _city(
        "341000",
        "黄山市",
        "341002 屯溪区 341003 黄山区 341004 徽州区 341021 歙县 341022 休宁县 341023 黟县 341024 祁门县",
    ),
    _city(
        "341100",
        "滁州市",
        "341102 琅琊区 341103 南谯区 341122 来安县 341124 全椒县 341125 定远县 "
        "341126 凤阳县 341181 天长市 341182 明光市",
    ),
    _city(
        "341200",
        "阜阳市",
        "341202 颍州区 341203 颍东区 341204 颍泉区 341221 临泉县 341222 太和县 "
        "341225 阜南县 341226 颍上县 341282 界首市",
    ),
    _city("341300", "宿州市", "341302 埇桥区 341321 砀山县 341322 萧县 341323 灵璧县 341324 泗县"),
    _city(
        "341500",
        "六安市",
        "341502 金安区 341503 裕安区 341504 叶集区 341522 霍邱县 341523 舒城县 341524 金寨县 341525 霍山县",
    ),
    _city("341600", "亳州市", "341602 谯城区 341621 涡阳县 341622 蒙城县 341623 利辛县"),
    _city("341700", "池州市", "341702 贵池区 341721 东至县 341722 石台县 341723 青阳县"),
    _city(
        "341800",
        "宣城市",
        "341802 宣州区 341821 郎溪县 341823 泾县 341824 绩溪县 341825 旌德县 341881 宁国市 341882 广德市",
    ),
)
ANQING = ANHUI[7]
SUSONG = ANQING.counties[0]
# The county `demo_logins` works on: the county scale's root, and the first county of city scale.
DEMO_COUNTY_CODE = SUSONG.code + "000000"

SUSONG_TOWNS = _words(
    "孚玉镇 复兴镇 汇口镇 许岭镇 程岭乡 九姑乡 佐坝乡 北浴乡 陈汉乡 隘口乡 河塌镇 二郎镇 "
    "破凉镇 凉亭镇 下仓镇 千岭乡 柳坪乡 洲头乡 高岭乡 华亭镇 趾凤乡 长铺镇"
)

PLACE_FIRST = "东西南北中新大小高长永太平安和兴丰福康青红黄金石龙凤马鹤松柏桃杨柳竹梅花山河湖江溪三双白"
PLACE_SECOND = "山河湖塘港湾洲岭坡岗坪畈冲坝桥店铺集庙庄林园田圩埠溪桥岭"
CN_ORD = "一二三四五六七八九十"

ORGAN_UNITS = _words(
    "委办公室 人大常委会 人民政府办公室 政协 纪委监委 委组织部 委宣传部 委统战部 "
    "委政法委员会 发展和改革委员会 财政局 人力资源和社会保障局 自然资源和规划局 "
    "住房和城乡建设局 交通运输局 水利局 农业农村局 商务局 文化旅游体育局 退役军人事务局 "
    "应急管理局 审计局 市场监督管理局 统计局 医疗保障局 林业局 数据资源管理局 信访局 民政局 "
    "司法局 教育体育局 科技商务经济信息化局 城市管理局 人民法院 人民检察院 税务局 总工会 "
    "妇女联合会 科学技术协会 工商业联合会 残疾人联合会 融媒体中心 机关事务服务中心 委党校 "
    "档案馆 粮食和物资储备局 供销合作社联合社 公共资源交易中心"
)
BIG_ORGAN_UNITS = frozenset(
    {"人民法院", "人民检察院", "税务局", "人力资源和社会保障局", "财政局", "农业农村局"}
)
COUNTY_SCHOOLS = _words(
    "第一中学 第二中学 实验中学 中学 职业教育中心 特殊教育学校 实验小学 城关第一小学 "
    "城关第二小学 第一幼儿园 实验幼儿园 教师发展中心"
)
HOSPITALS = _words(
    "人民医院 中医医院 妇幼保健院 疾病预防控制中心 卫生健康综合监督执法大队 第二人民医院 急救中心"
)
POLICE_UNITS = _words(
    "机关 治安管理大队 刑事侦查大队 交通管理大队 巡特警大队 看守所 经济犯罪侦查大队 禁毒大队 "
    "网络安全保卫大队 出入境管理大队"
)
SOE_UNITS = _words(
    "公司机关 工程建设部 资产运营部 物业管理有限公司 水务有限公司 交通投资有限公司 "
    "文化旅游发展有限公司 农业发展有限公司 融资担保有限公司 市政工程有限公司"
)
BRANDS = _words(
    "华宇 鑫源 宏达 金泰 恒通 瑞丰 天成 汇龙 联创 丰泽 永盛 嘉禾 同力 晨光 中科 皖江 "
    "长江 海峰 兴业 力源 新华 荣达 宝利 凯盛 润华 德泰 精诚 远航 博瑞 安信 天润 华强 "
    "东方 九华 大别山 龙腾 泰和 三元 富民 绿源"
)
INDUSTRIES = _words(
    "纺织 电子科技 新型建材 食品 农业科技 机械制造 新材料 包装 物流 医药 服装 建筑工程 "
    "商贸 生物科技 光电 环保科技 茶业 竹木制品 水产 汽车零部件"
)
SOCIAL_ORGS = _words(
    "个体劳动者协会 律师协会 注册会计师协会 物流行业协会 餐饮行业协会 建筑业协会 老年体育协会 "
    "慈善协会 社会工作服务中心 志愿者协会 民营企业家协会 电子商务协会 家庭服务业协会 "
    "养老服务中心 书画家协会"
)
PROJECTS = _words("标准化厂房建设 污水处理厂 高铁站前区 滨江大道 工业园道路 人才公寓 美丽乡村建设 防洪堤加固")
RETIREE_UNITS = _words(
    "县直机关离退休干部 教育系统离退休教师 卫生系统离退休人员 企业退休职工 公安系统离退休民警"
)

SUBS_ORGAN = ["机关第一", "机关第二", "机关第三", "机关第四", "离退休干部"]
SUBS_SCHOOL = ["高一年级", "高二年级", "高三年级", "行政后勤", "离退休教师"]
SUBS_HOSPITAL = ["内科", "外科", "医技", "行政后勤", "离退休"]
SUBS_ORDINAL = ["第一", "第二", "第三", "第四", "第五"]
SUBS_VILLAGE = ["第一", "第二", "第三", "第四", "流动党员"]
SUBS_COMMUNITY = ["第一", "第二", "第三", "第四", "老年党员"]

OCCUPATIONS: dict[str, list[str]] = {
    C.ORGAN: ["公务员", "参照公务员法管理人员", "机关工作人员", "事业编制人员"],
    C.SCHOOL: ["中小学教师", "幼儿教师", "学校管理人员", "职业学校教师"],
    C.INSTITUTION: ["医生", "护士", "医技人员", "专业技术人员", "事业单位管理人员"],
    C.ENTERPRISE: ["企业管理人员", "专业技术人员", "企业职工", "工人"],
    C.VILLAGE: ["农民", "农民", "村干部", "个体经营者", "外出务工人员", "农民专业合作社成员"],
    C.COMMUNITY: ["社区工作者", "个体经营者", "自由职业者", "企业职工"],
    C.SOCIAL: ["社会组织从业人员", "律师", "会计", "自由职业者"],
    C.OTHER: ["离退休人员"],
}
MALE_SHARE: dict[str, float] = {
    C.ORGAN: 0.68,
    C.SCHOOL: 0.45,
    C.INSTITUTION: 0.42,
    C.ENTERPRISE: 0.66,
    C.VILLAGE: 0.8,
    C.COMMUNITY: 0.5,
    C.SOCIAL: 0.55,
    C.OTHER: 0.72,
}
# Branch sizes (triangular low, high, mode) by unit category.
SIZES = {
    C.ORGAN: (5, 42, 16),
    C.SCHOOL: (6, 44, 18),
    C.INSTITUTION: (6, 44, 20),
    C.ENTERPRISE: (4, 32, 10),
    C.VILLAGE: (12, 48, 30),
    C.COMMUNITY: (10, 46, 24),
    C.SOCIAL: (4, 14, 6),
    C.OTHER: (15, 48, 32),
}
ETHNIC_MINORITIES = ["回族", "满族", "土家族", "壮族", "苗族", "畲族", "蒙古族"]
EXEMPT_REASONS = [
    "年老体弱，行动不便",
    "年老体弱，长期卧病在床",
    "年老体弱，随子女异地居住",
    "年老体弱，视听障碍",
]
PHONE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 145 147 150 "
    "151 152 153 155 156 157 158 159 166 173 175 176 "
    "177 180 181 182 183 185 186 187 188 189 191 193 "
    "195 198 199"
)
EDUCATION_BY_ERA = [  # (born up to year, [(education, weight)])
    (1955, [("junior", 55), ("high_school", 30), ("secondary", 12), ("college", 3)]),
    (1970, [("junior", 28), ("high_school", 28), ("secondary", 16), ("college", 17), ("bachelor", 11)]),
    (
        1985,
        [
            ("junior", 10),
            ("high_school", 14),
            ("secondary", 14),
            ("college", 26),
            ("bachelor", 31),
            ("postgraduate", 5),
        ],
    ),
    (9999, [("high_school", 5), ("secondary", 6), ("college", 29), ("bachelor", 50), ("postgraduate", 10)]),
]
EDUCATION_PROFESSIONAL = [("college", 22), ("bachelor", 62), ("postgraduate", 16)]
BIRTH_DECADES = [(1940, 8), (1950, 14), (1960, 20), (1970, 20), (1980, 18), (1990, 15), (2000, 5)]

# kind → (公章 suffix, 简称 suffix, 单位建立党组织情况)
BRANCH_LABELS: dict[str, tuple[str, str, str]] = {
    K.BRANCH: ("支部", "党支部", "单独建立党组织"),
    K.JOINT_BRANCH: ("联合支部", "联合党支部", "联合建立党组织"),
    K.TEMPORARY_BRANCH: ("临时支部", "临时党支部", "临时建立党组织"),
}
PROBLEMS = ("too_few", "too_many", "no_committee", "term_expired", "term_expiring")


# ---------------------------------------------------------------------------------------------
# Plan records
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class OrgSpec:
    path: str
    name: str
    short_name: str
    code: str
    kind: str
    unit_category: str
    unit_situation: str = ""
    established_on: dt.date | None = None
    has_committee: bool = False
    term_started_on: dt.date | None = None
    secretary_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    child_seq: int = 0

    @property
    def depth(self) -> int:
        return len(self.path) // 4

    @property
    def parent_path(self) -> str:
        return self.path[:-4]


@dataclass(slots=True)
class MemberSpec:
    org_path: str
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    category: str
    joined_on: dt.date
    full_member_on: dt.date | None
    phone: str
    occupation: str
    status: str = Member.Status.NORMAL
    is_exempt: bool = False
    exempt_reason: str = ""
    group_path: str | None = None
    positions: list[tuple[str, str, dt.date]] = field(default_factory=list)


@dataclass(slots=True)
class BranchPlan:
    org: OrgSpec
    size: int
    retired: bool = False
    host_for: list[OrgSpec] = field(default_factory=list)  # ancestors whose leaders sit in this branch
    problem: str = ""
    n_probationary: int = 0
    groups: list[OrgSpec] = field(default_factory=list)
    leaders: list[MemberSpec] = field(default_factory=list)


class Weighted:
    """A weighted draw, the same as `rng.choices(items, weights)[0]` (same result, same random number
    consumed) with the cumulative weights summed once instead of on every draw."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = tuple(item for item, _ in pairs)
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.items) - 1

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total, 0, self.hi)]


BIRTH_DECADE_DRAW = Weighted(BIRTH_DECADES)
EDUCATION_PROFESSIONAL_DRAW = Weighted(EDUCATION_PROFESSIONAL)
EDUCATION_BY_ERA_DRAWS = [(year, Weighted(table)) for year, table in EDUCATION_BY_ERA]


class Names:
    """Chinese names exactly as `Faker("zh_CN")` seeded with `seed` gives them (name(), name_male() and
    name_female() are one and the same there), drawn from Faker's own lists without its per-call
    template parsing and proxying: the same random numbers in the same order, so the same names.

    Faker's zh_CN person provider: the one format "{{last_name}}{{first_name}}" (chosen first, which
    moves the generator), a surname weighted by frequency, a given name uniformly. The constructor refuses
    a Faker whose provider no longer looks like that, rather than drift from the seeded demo silently.
    """

    FORMATS = ["{{last_name}}{{first_name}}"]

    def __init__(self, seed: str) -> None:
        provider = ZhPersonProvider
        if (
            list(provider.formats) != self.FORMATS
            or any(hasattr(provider, a) for a in ("formats_male", "formats_female"))
            or not isinstance(provider.last_names, dict)
        ):
            raise RuntimeError("Faker's zh_CN name provider changed: orgs.demo.Names needs updating")
        self.rng = random.Random(seed)  # what Faker.seed_instance(seed) makes
        self._formats = tuple(provider.formats)
        self._surnames = Weighted(list(provider.last_names.items()))
        self._given = tuple(provider.first_names)

    def name(self) -> str:
        rng = self.rng
        rng.choice(self._formats)  # Faker picks the format first: the draw is kept so names stay the same
        return self._surnames.draw(rng) + rng.choice(self._given)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_years_for(kind: str, unit_category: str) -> int:
    """The same rule as orgs.structure.default_term_years (S-08), for plan records."""
    if unit_category in (C.VILLAGE, C.COMMUNITY):
        return 5
    return 5 if kind in Organization.COMMITTEE_KINDS else 3


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


class People:
    """Draws members: names as Faker zh_CN gives them, valid unique ID numbers, plausible dates."""

    def __init__(self, rng: random.Random, names: Names, county: Region, city: City) -> None:
        self.rng = rng
        self.names = names
        self.county = county
        self.neighbours = [r.code for r in city.counties if r.code != county.code] or [county.code]
        # Numbers with a neighbour's region code use a sequence block reserved for this county, so
        # counties of one city never collide and only this county's own numbers need remembering.
        index = next((i for i, r in enumerate(city.counties) if r.code == county.code), 0)
        self.block = 800 + 20 * (index % 10)
        self.used: set[str] = set()

    def _date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def id_number(self, birth: dt.date, male: bool) -> str:
        rng = self.rng
        parity = 1 if male else 0
        for attempt in range(60):
            if attempt < 40 and rng.random() < 0.15:
                region, seq = rng.choice(self.neighbours), self.block + 2 * rng.randrange(10) + parity
            else:
                region, seq = self.county.code, 2 * rng.randrange(400) + parity
            number = make(region, birth, seq)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError("ran out of ID numbers for one birth date")  # ~30,000 numbers a day

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def birth(self, *, retired: bool, leader: bool) -> dt.date:
        rng = self.rng
        if leader:
            return self._date(dt.date(1966, 1, 1), dt.date(1992, 12, 31))
        if retired:
            return self._date(dt.date(1940, 1, 1), dt.date(1962, 12, 31))
        decade = BIRTH_DECADE_DRAW.draw(rng)
        last = dt.date(2003, 12, 31) if decade == 2000 else dt.date(decade + 9, 12, 31)
        return self._date(dt.date(decade, 1, 1), last)

    def member(
        self,
        org: OrgSpec,
        *,
        probationary: bool = False,
        retired: bool = False,
        leader_from: dt.date | None = None,
    ) -> MemberSpec:
        """One member of `org`; a leader (leader_from = first day in post) is a full member in good standing."""
        rng = self.rng
        cat = org.unit_category
        leader = leader_from is not None
        male = rng.random() < MALE_SHARE.get(cat, 0.6)
        name = self.names.name()
        birth = self.birth(retired=retired, leader=leader)
        adult = _add_years(birth, 18)
        if probationary:
            # Joined within the last year; the youngest members are 18 then.
            birth = min(birth, _add_years(REF_DATE, -20))
            adult = _add_years(birth, 18)
            joined = self._date(
                max(adult, REF_DATE - dt.timedelta(days=360)), REF_DATE - dt.timedelta(days=15)
            )
            full = None
        else:
            latest = REF_DATE - dt.timedelta(days=400)
            if leader_from is not None:
                latest = min(latest, _add_years(leader_from, -2))
                if adult > latest:  # a young leader: make them older
                    birth = _add_years(latest, -25)
                    adult = _add_years(birth, 18)
            age_at_join = int(rng.triangular(0, 35, 6))
            joined = _add_years(adult, age_at_join) + dt.timedelta(days=rng.randint(0, 364))
            if joined > latest:
                joined = self._date(adult, latest)
            full = joined + dt.timedelta(days=365 + rng.randint(0, 30))
        age = (REF_DATE - birth).days // 365
        status, exempt, reason = Member.Status.NORMAL, False, ""
        if not leader:
            r = rng.random()
            if age >= 75 and r < 0.3:
                exempt, reason = True, rng.choice(EXEMPT_REASONS)
            elif age < 55 and r < 0.03:
                status = Member.Status.MOBILE
            elif r > 0.996:
                status = Member.Status.LOST
        if age >= 60 or cat == C.OTHER:
            occupation = "离退休人员"
        elif status == Member.Status.MOBILE and cat in (C.VILLAGE, C.COMMUNITY):
            occupation = "外出务工人员"
        else:
            occupation = rng.choice(OCCUPATIONS[cat])
        if cat in (C.ORGAN, C.SCHOOL, C.INSTITUTION) and birth.year >= 1960 and not retired:
            draw = EDUCATION_PROFESSIONAL_DRAW
        else:
            draw = next(t for year, t in EDUCATION_BY_ERA_DRAWS if birth.year <= year)
        education = draw.draw(rng)
        ethnicity = "汉族" if rng.random() < 0.985 else rng.choice(ETHNIC_MINORITIES)
        return MemberSpec(
            org_path=org.path,
            name=name,
            gender="男" if male else "女",
            ethnicity=ethnicity,
            birth_date=birth,
            id_number=self.id_number(birth, male),
            education=education,
            category=Member.Category.PROBATIONARY if probationary else Member.Category.FULL,
            joined_on=joined,
            full_member_on=full,
            phone=self.phone(),
            occupation=occupation,
            status=status,
            is_exempt=exempt,
            exempt_reason=reason,
        )


# ---------------------------------------------------------------------------------------------
# One county
# ---------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """Something that gets one or more branches: a bureau, a village, an enterprise …"""

    full: str  # 宿松县财政局 (goes into 公章名称)
    short: str  # 县财政局 (goes into 简称)
    category: str
    subs: list[str] = field(default_factory=lambda: list(SUBS_ORDINAL))
    weight: float = 1.0
    max_branches: int = 5
    kind: str = K.BRANCH  # joint / temporary units stay a single branch
    retired: bool = False
    single: str = ""  # added to the name when the unit has one branch (财政局 → 财政局机关)


class Chunk:
    """One county's organizations (plus any ancestors introduced with it) and a lazy member stream."""

    def __init__(self, planner: CountyPlanner, orgs: list[OrgSpec], branches: list[BranchPlan]) -> None:
        self._planner = planner
        self.orgs = orgs
        self.branches = branches
        self.region = planner.county
        self.county_depth = len(planner.root_path) // 4

    def members(self) -> Iterator[MemberSpec]:
        return self._planner.members()


class CountyPlanner:
    def __init__(
        self,
        *,
        seed: int,
        county: Region,
        city: City,
        root_path: str,
        factor: float,
        today: dt.date,
        tiny: bool = False,
        adopt: list[OrgSpec] | None = None,
    ) -> None:
        key = f"xianfeng/{seed}/{county.code}"
        self.rng = random.Random(key)
        self.names = Names(key)  # Faker("zh_CN").seed_instance(key)'s names
        self.county, self.city = county, city
        self.people = People(self.rng, self.names, county, city)
        self.factor, self.today, self.tiny = factor, today, tiny
        self.root_path = root_path
        self.adopt = adopt or []
        self.serial = 0
        self.orgs: list[OrgSpec] = []
        self.branches: list[BranchPlan] = []
        self.used_places: set[str] = set()

    # -- helpers ------------------------------------------------------------------------------

    def _date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _n(self, base: float) -> int:
        return max(1, round(base * self.factor))

    def place(self, suffix: str) -> str:
        for _ in range(200):
            name = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND) + suffix
            if name not in self.used_places:
                self.used_places.add(name)
                return name
        raise RuntimeError("ran out of place names")

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(500):
            name = make()
            if name not in self.used_places:
                self.used_places.add(name)
                return name
        raise RuntimeError("ran out of names")

    def enterprise(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: (
                (self.county.stem if rng.random() < 0.6 else "安徽")
                + rng.choice(BRANDS)
                + rng.choice(INDUSTRIES)
                + "有限公司"
            )
        )

    def firm(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: (
                rng.choice([self.county.stem, "安徽"])
                + rng.choice(BRANDS)
                + rng.choice(["律师事务所", "会计师事务所", "税务师事务所"])
            )
        )

    def org(
        self, parent: OrgSpec | None, name: str, short: str, kind: str, category: str, **extra: Any
    ) -> OrgSpec:
        if parent is None:
            path = self.root_path
        else:
            parent.child_seq += 1
            path = parent.path + encode_step(parent.child_seq)
        code = f"{self.county.code}{self.serial:06d}"
        self.serial += 1
        spec = OrgSpec(
            path=path, name=name, short_name=short, code=code, kind=kind, unit_category=category, **extra
        )
        self.orgs.append(spec)
        return spec

    def committee(
        self, parent: OrgSpec, name: str, short: str, category: str, *, working: bool = False
    ) -> OrgSpec:
        return self.org(
            parent,
            f"中共{self.county.name}{name}",
            short,
            K.WORKING_COMMITTEE if working else K.COMMITTEE,
            category,
            established_on=self._date(dt.date(1952, 1, 1), dt.date(2005, 12, 31)),
            has_committee=True,
        )

    def branch(
        self,
        parent: OrgSpec,
        full: str,
        short: str,
        category: str,
        kind: str = K.BRANCH,
        retired: bool = False,
    ) -> BranchPlan:
        label, short_label, situation = BRANCH_LABELS.get(kind, BRANCH_LABELS[K.BRANCH])
        spec = self.org(
            parent,
            f"中共{full}{label}委员会",
            f"{short}{short_label}",
            kind,
            category,
            unit_situation=situation,
        )
        low, high, mode = SIZES[C(category)]
        if retired:
            low, high, mode = SIZES[C.OTHER]
        if kind == K.JOINT_BRANCH:
            low, high, mode = 4, 16, 7
        elif kind == K.TEMPORARY_BRANCH:
            low, high, mode = 3, 10, 5
        plan = BranchPlan(org=spec, size=int(self.rng.triangular(low, high, mode)), retired=retired)
        self.branches.append(plan)
        return plan

    def units(self, parent: OrgSpec, units: list[Unit], target: int) -> None:
        """Give `target` branches to the units (at least one each, bigger units more)."""
        units = units[:target]
        counts = [1] * len(units)
        for _ in range(target - len(units)):
            open_ = [i for i, u in enumerate(units) if counts[i] < u.max_branches]
            if not open_:
                break
            i = self.rng.choices(open_, [units[j].weight for j in open_])[0]
            counts[i] += 1
        for unit, n in zip(units, counts, strict=True):
            if n == 1:
                self.branch(
                    parent, unit.full + unit.single, unit.short, unit.category, unit.kind, unit.retired
                )
            elif n == 2:
                for sub in unit.subs[:2]:
                    retired = unit.retired or sub.startswith("离退休")
                    self.branch(parent, unit.full + sub, unit.short + sub, unit.category, retired=retired)
            else:
                general = self.org(
                    parent,
                    f"中共{unit.full}总支部委员会",
                    f"{unit.short}党总支",
                    K.GENERAL_BRANCH,
                    unit.category,
                    unit_situation="单独建立党组织",
                    has_committee=True,
                )
                subs = unit.subs[: n - 1] + unit.subs[-1:] if n < len(unit.subs) else unit.subs
                for sub in subs[:n]:
                    retired = unit.retired or sub.startswith("离退休") or sub.startswith("老年")
                    self.branch(general, unit.full + sub, unit.short + sub, unit.category, retired=retired)

    # -- the committees -----------------------------------------------------------------------

    def plan(self) -> Chunk:
        county, lc = self.county, self.county.level_char
        root = self.org(
            None,
            f"中共{county.name}委员会",
            f"{county.name}委",
            K.COMMITTEE,
            C.ORGAN,
            established_on=dt.date(1949, 5, 1),
            has_committee=True,
        )
        if self.tiny:
            towns = self.towns(2)
            self.organ(root, 7)
            self.town(root, towns[0], 8)
            self.two_new(root, 5)
        else:
            towns = self.towns(self._n(22))
            self.organ(root, self._n(110))
            self.schools(root, towns, self._n(100))
            self.health(root, towns, self._n(45))
            self.police(root, towns, self._n(28))
            self.two_new(root, self._n(150))
            self.zone(root, self._n(60))
            self.soe(root, self._n(12))
            self.street(root, self._n(30))
            self.retirees(root, self._n(20))
            self.org(
                root,
                f"中共{county.name}人民政府党组",
                f"{lc}政府党组",
                K.LEADING_GROUP,
                C.ORGAN,
                established_on=dt.date(1983, 3, 1),
            )
            for town in towns:
                self.town(root, town, int(self.rng.triangular(25, 46, 34)))
        self.finish()
        return Chunk(self, self.orgs, self.branches)

    def towns(self, n: int) -> list[str]:
        names = list(SUSONG_TOWNS[:n]) if self.county == SUSONG else []
        self.used_places.update(names)
        while len(names) < n:
            names.append(self.place("镇" if self.rng.random() < 0.6 else "乡"))
        return names

    def organ(self, root: OrgSpec, target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        wc = self.committee(root, "直属机关工作委员会", f"{lc}直机关工委", C.ORGAN, working=True)
        units = [
            Unit(
                f"{cty}{u}",
                f"{lc}{u}",
                C.ORGAN,
                subs=list(SUBS_ORGAN),
                single="机关",
                weight=3.0 if u in BIG_ORGAN_UNITS else 1.0,
            )
            for u in ORGAN_UNITS
        ]
        self.units(wc, units, target)

    def schools(self, root: OrgSpec, towns: list[str], target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        wc = self.committee(root, "教育工作委员会", f"{lc}教育工委", C.SCHOOL, working=True)
        units = [
            Unit(
                f"{cty}{s}", f"{lc}{s}", C.SCHOOL, subs=list(SUBS_SCHOOL), weight=4.0 if "中学" in s else 1.0
            )
            for s in COUNTY_SCHOOLS
        ]
        for town in towns:
            stem = town[:-1]
            units.append(Unit(f"{cty}{stem}中学", f"{stem}中学", C.SCHOOL, weight=1.5))
            units.append(Unit(f"{cty}{stem}中心学校", f"{stem}中心学校", C.SCHOOL))
            units.append(Unit(f"{cty}{stem}中心幼儿园", f"{stem}中心幼儿园", C.SCHOOL, max_branches=1))
        self.units(wc, units, target)

    def health(self, root: OrgSpec, towns: list[str], target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        wc = self.committee(root, "卫生健康工作委员会", f"{lc}卫健工委", C.INSTITUTION, working=True)
        units = [
            Unit(
                f"{cty}{h}",
                f"{lc}{h}",
                C.INSTITUTION,
                subs=list(SUBS_HOSPITAL),
                weight=6.0 if "医院" in h else 1.0,
            )
            for h in HOSPITALS
        ]
        units += [
            Unit(f"{cty}{t[:-1]}中心卫生院", f"{t[:-1]}卫生院", C.INSTITUTION, max_branches=2) for t in towns
        ]
        self.units(wc, units, target)

    def police(self, root: OrgSpec, towns: list[str], target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        pc = self.committee(root, "公安局委员会", f"{lc}公安局党委", C.ORGAN)
        units = [
            Unit(
                f"{cty}公安局{u}",
                f"{lc}公安局{u}",
                C.ORGAN,
                subs=SUBS_ORDINAL[:4] + ["离退休民警"],
                weight=4.0 if u == "机关" else 0.5,
            )
            for u in POLICE_UNITS
        ]
        units += [
            Unit(f"{cty}公安局{t[:-1]}派出所", f"{t[:-1]}派出所", C.ORGAN, max_branches=1) for t in towns
        ]
        self.units(pc, units, target)

    def _enterprises(self, n: int, *, joint_share: float, where: str) -> list[Unit]:
        out = []
        for i in range(n):
            r = self.rng.random()
            if r < joint_share:
                label = (
                    f"{where}非公企业第{CN_ORD[i % 10]}" if i < 10 else f"{where}非公企业{self.place('片区')}"
                )
                out.append(Unit(f"{self.county.name}{label}", label, C.ENTERPRISE, kind=K.JOINT_BRANCH))
            else:
                name = self.enterprise()
                out.append(Unit(name, name.removeprefix("安徽"), C.ENTERPRISE, weight=0.4))
        return out

    def two_new(self, root: OrgSpec, target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        wc = self.committee(
            root, "非公有制经济组织和社会组织工作委员会", f"{lc}两新工委", C.ENTERPRISE, working=True
        )
        n = max(1, math.ceil(target / 1.15))
        units = self._enterprises(n - n // 4, joint_share=0.12, where="城区")
        for i in range(n // 4):
            if i < len(SOCIAL_ORGS) and self.rng.random() < 0.7:
                org = SOCIAL_ORGS[i]
                units.append(Unit(f"{cty}{org}", f"{lc}{org}", C.SOCIAL, max_branches=1))
            else:
                firm = self.firm()
                units.append(Unit(firm, firm.removeprefix("安徽"), C.SOCIAL, max_branches=1))
        self.rng.shuffle(units)
        self.units(wc, units, target)

    def zone(self, root: OrgSpec, target: int) -> None:
        stem = self.county.stem
        zc = self.org(
            root,
            f"中共{stem}经济开发区工作委员会",
            "经开区党工委",
            K.WORKING_COMMITTEE,
            C.ENTERPRISE,
            established_on=dt.date(2006, 6, 1),
            has_committee=True,
        )
        units = [Unit(f"{stem}经济开发区管委会机关", "经开区机关", C.ORGAN, subs=list(SUBS_ORGAN))]
        units += self._enterprises(max(1, math.ceil(target / 1.2)) - 3, joint_share=0.15, where="经开区")
        for project in self.rng.sample(PROJECTS, 2):
            units.append(
                Unit(f"{stem}经济开发区{project}项目", f"{project}项目", C.OTHER, kind=K.TEMPORARY_BRANCH)
            )
        self.units(zc, units, target)

    def soe(self, root: OrgSpec, target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        sc = self.committee(root, "建设投资集团有限公司委员会", f"{lc}建投集团党委", C.ENTERPRISE)
        units = [Unit(f"{cty}建设投资集团{u}", u, C.ENTERPRISE) for u in SOE_UNITS]
        self.units(sc, units, target)

    def street(self, root: OrgSpec, target: int) -> None:
        cty = self.county.name
        street = self.place("街道")
        sc = self.org(
            root,
            f"中共{cty}{street}工作委员会",
            f"{street}党工委",
            K.WORKING_COMMITTEE,
            C.COMMUNITY,
            established_on=dt.date(2012, 3, 1),
            has_committee=True,
        )
        units = [Unit(f"{cty}{street}机关", f"{street}机关", C.ORGAN)]
        for _ in range(max(1, math.ceil(target / 2.2))):
            community = self.place("社区")
            units.append(
                Unit(
                    f"{cty}{street}{community}", community, C.COMMUNITY, subs=list(SUBS_COMMUNITY), weight=2.0
                )
            )
        self.units(sc, units, target)

    def retirees(self, root: OrgSpec, target: int) -> None:
        cty, lc = self.county.name, self.county.level_char
        rc = self.committee(root, "离退休干部工作委员会", f"{lc}离退休干部工委", C.OTHER, working=True)
        units = [
            Unit(f"{cty}{u.removeprefix('县直')}", u.replace("县", lc, 1), C.OTHER, retired=True)
            for u in RETIREE_UNITS
        ]
        self.units(rc, units, target)

    def town(self, root: OrgSpec, town: str, target: int) -> None:
        cty = self.county.name
        tc = self.committee(root, f"{town}委员会", f"{town}党委", C.VILLAGE)
        units = [
            Unit(f"{cty}{town}机关", f"{town}机关", C.ORGAN, subs=["机关", "离退休干部"], max_branches=2)
        ]
        n_villages = max(2, round(target * 0.5))
        for _ in range(n_villages):
            village = self.place("村")
            units.append(
                Unit(f"{cty}{town}{village}", village, C.VILLAGE, subs=list(SUBS_VILLAGE), weight=2.0)
            )
        if town.endswith("镇"):
            for _ in range(self.rng.randint(1, 3)):
                community = self.place("社区")
                units.append(
                    Unit(f"{cty}{town}{community}", community, C.COMMUNITY, subs=list(SUBS_COMMUNITY))
                )
        for _ in range(self.rng.randint(1, 3)):
            name = self.enterprise()
            units.append(Unit(name, name.removeprefix("安徽"), C.ENTERPRISE, max_branches=1))
        if self.rng.random() < 0.3:
            project = self.rng.choice(PROJECTS)
            units.append(
                Unit(f"{cty}{town}{project}项目", f"{town}{project}项目", C.OTHER, kind=K.TEMPORARY_BRANCH)
            )
        self.units(tc, units, target)

    # -- sizes, problems, terms, leaders ------------------------------------------------------

    def finish(self) -> None:
        rng, today = self.rng, self.today
        # Every non-branch organization with branches below gets its secretary and contact from the
        # first branch in its subtree (a member may hold a post in an ancestor organization).
        hosts = [o for o in self.orgs if o.kind in (*Organization.COMMITTEE_KINDS, K.GENERAL_BRANCH)]
        first_branch: dict[str, BranchPlan] = {}
        for plan in self.branches:
            for i in range(4, len(plan.org.path), 4):
                first_branch.setdefault(plan.org.path[:i], plan)
        for org in self.adopt + hosts:
            host = self.branches[0] if any(org is a for a in self.adopt) else first_branch.get(org.path)
            if host is None:  # a 党组 without branches: just a name
                org.secretary_name = self.names.name()
                continue
            host.host_for.append(org)
        for plan in self.branches:
            if plan.host_for:
                plan.size = min(48, max(plan.size, 3 * len(plan.host_for) + 14))
        # Deliberate structure problems (a handful of each) on ordinary branches.
        candidates = [p for p in self.branches if not p.host_for and p.org.kind == K.BRANCH]
        rng.shuffle(candidates)
        per_type = 1 if self.tiny else max(2, round(3 * self.factor))
        for problem in PROBLEMS:
            for _ in range(per_type):
                if candidates:
                    candidates.pop().problem = problem
        # Terms for every organization that elects one.
        for org in self.orgs:
            if org.kind in (K.GROUP, K.LEADING_GROUP, K.TEMPORARY_BRANCH):
                continue
            years = term_years_for(org.kind, org.unit_category)
            org.term_started_on = REF_DATE - dt.timedelta(days=rng.randint(30, (years - 1) * 365))
            if org.established_on is None:
                org.established_on = self._date(dt.date(1978, 1, 1), org.term_started_on)
        for plan in self.branches:
            self._finish_branch(plan, rng, today)
        for plan in self.branches:
            self._leaders(plan)

    def _finish_branch(self, plan: BranchPlan, rng: random.Random, today: dt.date) -> None:
        org = plan.org
        years = term_years_for(org.kind, org.unit_category)
        if plan.problem == "too_few":
            plan.size = rng.randint(2, 3)
            plan.n_probationary = 1 if plan.size == 3 else 0
        elif plan.problem == "too_many":
            plan.size = rng.randint(52, 66)
        elif plan.problem == "no_committee":
            plan.size = max(plan.size, rng.randint(9, 20))
        elif plan.problem == "term_expired":
            org.term_started_on = _add_years(REF_DATE, -years) - dt.timedelta(days=rng.randint(30, 330))
        elif plan.problem == "term_expiring":
            org.term_started_on = _add_years(today + dt.timedelta(days=rng.randint(15, 80)), -years)
        if plan.problem != "too_few":
            floor = 7 if plan.problem == "no_committee" else 4
            plan.n_probationary = min(
                sum(rng.random() < 0.05 for _ in range(plan.size)), max(0, plan.size - floor)
            )
        n_full = plan.size - plan.n_probationary
        if plan.problem == "no_committee":
            org.has_committee = False
        else:
            org.has_committee = n_full >= 7 or (n_full >= 5 and rng.random() < 0.2)
        if org.kind == K.TEMPORARY_BRANCH:
            org.established_on = REF_DATE - dt.timedelta(days=rng.randint(90, 700))
        else:
            start = org.term_started_on or REF_DATE
            org.established_on = self._date(dt.date(1978, 1, 1), start)
        if plan.size >= 30 and org.kind == K.BRANCH and not plan.problem and rng.random() < 0.25:
            for i in range(min(5, max(2, plan.size // 12))):
                plan.groups.append(
                    self.org(
                        org,
                        f"{org.short_name}第{CN_ORD[i]}党小组",
                        f"第{CN_ORD[i]}党小组",
                        K.GROUP,
                        org.unit_category,
                        established_on=self._date(org.established_on, REF_DATE - dt.timedelta(days=60)),
                    )
                )

    def _leaders(self, plan: BranchPlan) -> None:
        """Draw the post holders of the branch and of the ancestors it hosts."""
        org = plan.org
        start = org.term_started_on or org.established_on or REF_DATE
        n_full = plan.size - plan.n_probationary
        titles: list[str] = [T.SECRETARY]
        if org.has_committee:
            titles += [T.ORGANIZATION, T.CONTACT]
            if n_full >= 15:
                titles += [T.PROPAGANDA, T.DISCIPLINE] + (
                    [T.DEPUTY_SECRETARY] if self.rng.random() < 0.5 else []
                )
        elif n_full >= 2:
            titles.append(T.CONTACT)
        posts: list[tuple[OrgSpec, list[str]]] = [(org, titles)]
        for host in plan.host_for:
            posts.append((host, [T.SECRETARY, T.ORGANIZATION, T.CONTACT]))
        for target, target_titles in posts:
            post_start = target.term_started_on or target.established_on or REF_DATE
            secretary = None
            for title in target_titles:
                if len(plan.leaders) >= n_full:  # a tiny branch: the secretary is also the contact
                    holder = secretary or plan.leaders[0]
                else:
                    holder = self.people.member(org, leader_from=min(post_start, start))
                    plan.leaders.append(holder)
                holder.positions.append((target.path, title, post_start))
                if title == T.SECRETARY:
                    secretary = holder
                    target.secretary_name = holder.name
                elif title == T.CONTACT:
                    target.contact_name, target.contact_phone = holder.name, holder.phone

    # -- members --------------------------------------------------------------------------------

    def members(self) -> Iterator[MemberSpec]:
        rng = self.rng
        for plan in self.branches:
            rest = plan.size - len(plan.leaders)
            flags = [True] * plan.n_probationary + [False] * max(0, rest - plan.n_probationary)
            rng.shuffle(flags)
            people = list(plan.leaders)
            for probationary in flags:
                people.append(self.people.member(plan.org, probationary=probationary, retired=plan.retired))
            if plan.groups:
                led: set[int] = set()
                for i, person in enumerate(people):
                    g = i % len(plan.groups)
                    person.group_path = plan.groups[g].path
                    if g not in led and person.full_member_on and not person.is_exempt:
                        led.add(g)
                        group = plan.groups[g]
                        started = max(group.established_on or REF_DATE, person.full_member_on)
                        person.positions.append((group.path, T.GROUP_LEADER, started))
            yield from people
            plan.leaders = []  # free the leaders once written
        self.people.used.clear()


# ---------------------------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------------------------


def _root(path: str, region: Region, name: str, short: str) -> OrgSpec:
    return OrgSpec(
        path=path,
        name=name,
        short_name=short,
        code=f"{region.code}000000",
        kind=K.COMMITTEE,
        unit_category=C.ORGAN,
        established_on=dt.date(1949, 5, 1),
        has_committee=True,
        term_started_on=REF_DATE - dt.timedelta(days=700),
    )


def iter_chunks(scale: str, seed: int, *, today: dt.date, root_number: int = 1) -> Iterator[Chunk]:
    """The plan, one county at a time. `root_number` numbers the top-level node (1 in an empty database)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    top = encode_step(root_number)
    if scale in ("tiny", "county"):
        yield CountyPlanner(
            seed=seed,
            county=SUSONG,
            city=ANQING,
            root_path=top,
            factor=1.0,
            today=today,
            tiny=scale == "tiny",
        ).plan()
        return
    cities = [ANQING] if scale == "city" else list(ANHUI)
    factor = 0.8 if scale == "city" else 1.25
    province = None
    if scale == "province":
        province = _root(top, PROVINCE, "中共安徽省委员会", "安徽省委")
        province.child_seq = len(cities)
    for ci, city in enumerate(cities):
        city_path = top if province is None else top + encode_step(ci + 1)
        city_root = _root(city_path, Region(city.code, city.name), f"中共{city.name}委员会", f"{city.name}委")
        city_root.child_seq = len(city.counties)
        adopt = ([province] if province is not None and ci == 0 else []) + [city_root]
        for i, county in enumerate(city.counties):
            planner = CountyPlanner(
                seed=seed,
                county=county,
                city=city,
                root_path=city_path + encode_step(i + 1),
                factor=factor,
                today=today,
                adopt=adopt if i == 0 else None,
            )
            chunk = planner.plan()
            if i == 0:
                # The ancestors are written with their first county (their posts are held there).
                chunk.orgs[:0] = adopt
            yield chunk


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@dataclass
class Stats:
    orgs: int = 0
    members: int = 0
    positions: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time (SQLite's work included, a PostgreSQL server's not)
    prepare_seconds: float = 0.0  # building the rows from the plan: SM4, keyed hashes, masks, tuples
    insert_seconds: float = 0.0  # the database: the INSERTs (SQLite) or COPYs (PostgreSQL)
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.process_time)

    @property
    def rows(self) -> int:
        return self.orgs + self.members + self.positions

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rows_per_cpu_second(self) -> float:
        return self.rows / self.cpu_seconds if self.cpu_seconds else 0.0

    @staticmethod
    def peak_rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    def tick(self) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started


ORG_COLUMNS = (
    "parent_id",
    "path",
    "depth",
    "child_seq",
    "name",
    "short_name",
    "code",
    "kind",
    "unit_category",
    "unit_situation",
    "secretary_name",
    "contact_name",
    "contact_phone_enc",
    "contact_phone_masked",
    "established_on",
    "has_committee",
    "term_started_on",
)
MEMBER_COLUMNS = (
    "org_id",
    "party_group_id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "education",
    "category",
    "joined_on",
    "full_member_on",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "occupation",
    "status",
    "is_exempt",
    "exempt_reason",
    "left_on",
)
POSITION_COLUMNS = ("member_id", "org_id", "title", "started_on")
_HASH_AT = MEMBER_COLUMNS.index("id_number_hash")
_GONE = frozenset({Member.Status.LEFT, Member.Status.DECEASED})


def _org_rows(specs: list[OrgSpec], ids: dict[str, int], county_depth: int) -> list[tuple[Any, ...]]:
    """Organization rows as Organization.set_contact_phone and add_organizations would leave them.

    Organizations of the county have all their children in the same chunk, so their final child counter
    goes in with them; an ancestor above the county (city, province) starts at 0 and is moved on as its
    counties are written (`_advance_ancestors`)."""
    phones = [(s.contact_phone or "").strip() for s in specs]
    encrypted = personal.encrypt_many(phones)
    mask = personal.mask_phone
    return [
        (
            ids[s.parent_path] if s.depth > 1 else None,
            s.path,
            s.depth,
            s.child_seq if s.depth >= county_depth else 0,
            s.name,
            s.short_name,
            s.code,
            s.kind,
            s.unit_category,
            s.unit_situation,
            s.secretary_name,
            s.contact_name,
            enc,
            mask(phone),
            s.established_on,
            s.has_committee,
            s.term_started_on,
        )
        for s, phone, enc in zip(specs, phones, encrypted, strict=True)
    ]


def _member_rows(specs: list[MemberSpec], ids: dict[str, int], today: dt.date) -> list[tuple[Any, ...]]:
    """Member rows as Member.set_id_number/set_phone and apply_member_data would leave them, with the
    SM4 key and the keyed hashes set up once for the batch."""
    numbers = [s.id_number for s in specs]
    phones = [(s.phone or "").strip() for s in specs]
    id_enc, id_hash = personal.encrypt_many(numbers), personal.blind_index_many("id", numbers)
    phone_enc, phone_hash = personal.encrypt_many(phones), personal.blind_index_many("phone", phones)
    mask_id, mask_phone = personal.mask_id_number, personal.mask_phone
    return [
        (
            ids[s.org_path],
            ids[s.group_path] if s.group_path else None,
            s.name.strip(),
            s.gender,
            s.ethnicity,
            s.birth_date,
            id_enc[i],
            id_hash[i],
            mask_id(s.id_number),
            s.education,
            s.category,
            s.joined_on,
            s.full_member_on,
            phone_enc[i],
            phone_hash[i],
            mask_phone(phones[i]),
            s.occupation,
            s.status,
            s.is_exempt,
            s.exempt_reason,
            today if s.status in _GONE else None,
        )
        for i, s in enumerate(specs)
    ]


def _advance_ancestors(specs: list[OrgSpec], ids: dict[str, int], county_depth: int) -> None:
    """Move the child counter of each ancestor above the county past the children just written."""
    from django.db import connection

    last: dict[str, int] = {}
    for s in specs:
        if 1 < s.depth <= county_depth:  # a child of an ancestor above the county
            parent = s.parent_path
            last[parent] = max(last.get(parent, 0), int(s.path[-4:], 36))
    if not last:
        return
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        for path, number in last.items():
            cursor.execute(
                f"UPDATE {table} SET child_seq = %s WHERE id = %s AND child_seq < %s",
                [number, ids[path], number],
            )


def write(
    chunks: Iterable[Chunk],
    *,
    batch_size: int = 2000,
    limit_members: int | None = None,
    progress: Callable[[Stats], None] | None = None,
    every: int = 10,
) -> Stats:
    """Insert the plan as plain rows (orgs.bulkinsert.insert_rows: no model instances, no per-row
    services): each county's organizations level by level, then its members and their posts in batches
    of `batch_size` members, as the system (no acting user).

    The rows are what the services' bulk paths (orgs.services.add_organizations, add_members,
    add_positions) would write for the same plan; the plan is valid by construction and the demo tests
    hold every generated member to validate_member. One transaction per county; only the ids of the current
    county's organizations (and its ancestors) and one batch of members are ever held in memory.
    """
    from django.db import connection

    cache_size = None
    if connection.vendor == "sqlite":
        # A bigger page cache while loading: the unique ID-hash index and the phone-hash index take
        # their inserts at random places; with SQLite's default 2 MB every one re-reads its pages.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
    try:
        return _write(chunks, batch_size, limit_members, progress, every)
    finally:
        if cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


LOAD_CACHE_KIB = 64 * 1024  # SQLite page cache while the demo loads (a bound: memory stays flat)


def _write(
    chunks: Iterable[Chunk],
    batch_size: int,
    limit_members: int | None,
    progress: Callable[[Stats], None] | None,
    every: int,
) -> Stats:
    from django.db import transaction
    from django.utils import timezone

    stats = Stats()
    ids: dict[str, int] = {}  # organization path → id
    batches = 0
    today = timezone.localdate()

    def flush(buffer: list[MemberSpec]) -> None:
        nonlocal batches
        started = time.perf_counter()
        rows = _member_rows(buffer, ids, today)
        built = time.perf_counter()
        member_ids = insert_rows(Member, MEMBER_COLUMNS, rows, key="id_number_hash")
        inserted = time.perf_counter()
        positions = [
            (member_ids[row[_HASH_AT]], ids[path], title, start)
            for spec, row in zip(buffer, rows, strict=True)
            for path, title, start in spec.positions
        ]
        written = time.perf_counter()
        insert_rows(Position, POSITION_COLUMNS, positions)
        finished = time.perf_counter()
        stats.prepare_seconds += (built - started) + (written - inserted)
        stats.insert_seconds += (inserted - built) + (finished - written)
        stats.members += len(buffer)
        stats.positions += len(positions)
        batches += 1
        stats.tick()
        if progress is not None and batches % every == 0:
            progress(stats)

    def full() -> bool:
        return limit_members is not None and stats.members >= limit_members

    for chunk in chunks:
        with transaction.atomic():
            levels: dict[int, list[OrgSpec]] = {}
            for spec in chunk.orgs:
                levels.setdefault(spec.depth, []).append(spec)
            for depth in sorted(levels):  # level by level: every parent is in before its children
                specs = levels[depth]
                started = time.perf_counter()
                rows = _org_rows(specs, ids, chunk.county_depth)
                built = time.perf_counter()
                ids.update(insert_rows(Organization, ORG_COLUMNS, rows, key="path"))
                reference.bump()  # bulk writes send no signal
                _advance_ancestors(specs, ids, chunk.county_depth)
                stats.prepare_seconds += built - started
                stats.insert_seconds += time.perf_counter() - built
            stats.orgs += len(chunk.orgs)
            buffer: list[MemberSpec] = []
            for person in chunk.members():
                buffer.append(person)
                if len(buffer) >= batch_size:
                    flush(buffer)
                    buffer = []
                    if full():
                        break
            if buffer:
                flush(buffer)
        # Keep only the ancestors (city, province) for the next county.
        for path in [p for p in ids if len(p) // 4 >= chunk.county_depth]:
            del ids[path]
        if full():
            break
    stats.tick()
    return stats


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (SQLite and PostgreSQL both know ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def demo_nodes() -> dict[str, Organization] | None:
    """The generated county, its first 党(工)委 and a branch there with a 支委会: where the demo logins are
    granted (demo_logins), and the branch whose next-month plan the orglife demo leaves to be filed."""
    county = Organization.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None:
        county = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if county is None:
        return None
    committee = (
        Organization.objects.under(county, include_self=False)
        .filter(kind__in=[Organization.Kind.COMMITTEE, Organization.Kind.WORKING_COMMITTEE])
        .order_by("path")
        .first()
    ) or county
    branches = Organization.objects.under(committee).filter(kind__in=Organization.BRANCH_KINDS)
    branch = branches.filter(has_committee=True).order_by("path").first() or branches.order_by("path").first()
    return {"county": county, "committee": committee, "branch": branch or committee}
