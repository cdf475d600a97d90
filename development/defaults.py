"""The official defaults of member development (发展党员), with their sources.

Rule ids are those of shared/RULES.md §4 (D-01 … D-22) and §2.2 (Q-01, Q-03). Status V was checked
against the regulation's wording (through reprints), V2 against secondary sources, U is common practice
with no central number: a U value is a local setting (override it in Django settings, see `setting`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MIN_AGE = 18  # D-01 年满十八岁; 党章 第一条, FZ2014 第五条 (V; the application date as reference is U)
TALK_WITHIN_MONTHS = 1  # D-03 一个月内派人谈话; FZ2014 第七条 (V)
CONTACTS_MIN, CONTACTS_MAX = 1, 2  # D-05 1至2名正式党员作培养联系人; FZ2014 第九条 (V2)
ASSESSMENT_EVERY_MONTHS = 6  # D-05 每半年考察一次; FZ2014 第十二条 (V2)
ACTIVIST_MIN_MONTHS = 12  # D-06 一年以上培养教育和考察; FZ2014 第十三条 (V2)
SPONSORS = 2  # D-07 两名正式党员作入党介绍人; 党章 第五条, FZ2014 第十四条 (V)
TRAINING_MIN_DAYS, TRAINING_MIN_HOURS = 3, 24  # D-09 一般不少于3天或24学时; FZ2014 (V2)
LEAVE_WARN_MONTHS = 3  # D-11 三个月内将离开工作单位的一般不发展; FZ2014 practice (V2, a warning)
APPROVAL_WARN_MONTHS, APPROVAL_MAX_MONTHS = 3, 6  # D-13 三个月内审批，特殊情况不超过六个月; FZ2014 (V2)
PROBATION_MONTHS = 12  # D-15 预备期一年; 党章 第七条 (V)
EXTENSION_MIN_MONTHS, EXTENSION_MAX_MONTHS, EXTENSION_MAX_TIMES = (
    6,
    12,
    1,
)  # D-16; 党章 第七条, FZ2014 第三十二条 (V)
CONVERSION_APPROVAL_MONTHS = 3  # D-17 转正等决议三个月内审批 (V2)

SOURCES = {
    "D-01": "党章第一条；《发展党员工作细则》第五条",
    "D-02": "《发展党员工作细则》第六条",
    "D-03": "《发展党员工作细则》第七条",
    "D-04": "《发展党员工作细则》第八条",
    "D-05": "《发展党员工作细则》第九条、第十二条",
    "D-06": "《发展党员工作细则》第十三条",
    "D-07": "党章第五条；《发展党员工作细则》第十四条",
    "D-08": "《发展党员工作细则》政治审查",
    "D-09": "《发展党员工作细则》集中培训",
    "D-10": "《发展党员工作细则》预审",
    "D-11": "《发展党员工作细则》",
    "D-12": "《发展党员工作细则》支部大会讨论",
    "D-13": "《发展党员工作细则》上级党委审批",
    "D-14": "党章第七条",
    "D-15": "党章第七条",
    "D-16": "党章第七条；《发展党员工作细则》第三十二条",
    "D-17": "《发展党员工作细则》",
    "D-18": "党章第七条",
    "D-19": "党章第六条",
    "D-20": "《关于中国共产党党费收缴、使用和管理的规定》第八条",
    "D-21": "地方规定（可设置）",
    "D-22": "地方规定（可设置）",
}

# Local settings (U): the platform's defaults, each changeable in Django settings as DEVELOPMENT_<NAME>.
LOCAL = {
    # D-08 政审结论有效期: a one-year validity is common local practice (U); 0 means no limit.
    "POLITICS_REVIEW_VALID_MONTHS": 12,
    # D-22 公示期: 5 working days is the most common local figure (U); 0 turns the notice off.
    "NOTICE_WORKING_DAYS": 5,
    # D-21 28周岁以下一般从团员中推优: a warning only (U).
    "YOUTH_AGE": 28,
    # 发展党员名额 (the annual plan per node, allocated by the 组织部): RULES.md §4 has no rule on it, so
    # an approval beyond the plan is a warning; True makes it a refusal (a department's local choice).
    "QUOTA_HARD": False,
    # The largest dossier scan accepted, in MB (a local storage choice).
    "UPLOAD_MAX_MB": 10,
    # Backdating: a step dated more than this many days before it is entered needs a reason (U).
    "BACKDATE_DAYS": 7,
    # Reminders escalate to the committee and to the department after this many days overdue (U).
    "ESCALATE_COMMITTEE_DAYS": 7,
    "ESCALATE_DEPARTMENT_DAYS": 14,
}


def setting(name: str) -> Any:
    """A local (U) setting: DEVELOPMENT_<NAME> from Django settings, else the default above."""
    return getattr(settings, f"DEVELOPMENT_{name}", LOCAL[name])
