"""The reform's controlled vocabulary: stable codes with English and Chinese labels.

This module is the single source of the codes used by the data model, the engine,
imports and the demo generator. It has no framework imports so the engine and the
generator can use it; the Django apps turn these into model choices.

Codes are stable: they are stored in the database and in exported files, so a code is
never renamed, only retired.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    en: str
    zh: str


def _terms(*rows: tuple[str, str, str]) -> tuple[Term, ...]:
    return tuple(Term(*r) for r in rows)


UNIT_KINDS = _terms(
    ("headquarters", "Bureau headquarters", "局机关"),
    ("investigation_center", "Investigation & Strike Center", "侦查打击中心"),
    ("prevention_center", "Basic Prevention & Control Center", "基础防控中心"),
    ("department", "Headquarters department", "机关部门"),
    ("squad", "Squad", "中队"),
    ("station", "Police station", "派出所"),
    ("zone", "Zone", "片区"),
    ("grid", "Grid", "网格"),
)

# Kinds that own an area (and therefore a boundary).
AREA_KINDS = ("headquarters", "station", "zone", "grid")

STATION_TYPES = _terms(
    ("full_spectrum", "Full-spectrum station", "全攻全守型"),
    ("proactive", "Proactive station", "主动进攻型"),
    ("preventive", "Preventive station", "积极防范型"),
)

OFFICER_KINDS = _terms(
    ("police", "Police officer", "民警"),
    ("auxiliary", "Auxiliary officer", "辅警"),
)

GENDERS = _terms(
    ("M", "Male", "男"),
    ("F", "Female", "女"),
)

OFFICER_STATUSES = _terms(
    ("active", "Active", "在岗"),
    ("leave", "On leave", "休假"),
    ("retired", "Retired", "退休"),
    ("left", "Left the force", "离职"),
)

# Ranks of the people's police (人民警察警衔), lowest first; auxiliaries have none.
RANKS = _terms(
    ("none", "No rank", "无警衔"),
    ("constable_2", "Police Constable 2nd Class", "二级警员"),
    ("constable_1", "Police Constable 1st Class", "一级警员"),
    ("sergeant_3", "Police Sergeant 3rd Class", "三级警司"),
    ("sergeant_2", "Police Sergeant 2nd Class", "二级警司"),
    ("sergeant_1", "Police Sergeant 1st Class", "一级警司"),
    ("inspector_3", "Police Inspector 3rd Class", "三级警督"),
    ("inspector_2", "Police Inspector 2nd Class", "二级警督"),
    ("inspector_1", "Police Inspector 1st Class", "一级警督"),
    ("superintendent_3", "Police Superintendent 3rd Class", "三级警监"),
)

SKILLS = _terms(
    ("investigation", "Criminal investigation", "刑事侦查"),
    ("public_order", "Public order", "治安管理"),
    ("hazardous_chemicals", "Hazardous chemicals", "危化品管理"),
    ("fire_safety", "Fire safety", "消防安全"),
    ("floating_population", "Floating population", "流动人口管理"),
    ("traffic", "Traffic", "交通管理"),
    ("water_policing", "Water policing", "水上治安"),
    ("community_work", "Community work", "社区警务"),
    ("forensics", "Forensics", "刑事技术"),
    ("cyber", "Cyber and fraud", "网络与反诈"),
    ("video", "Video investigation", "视频侦查"),
    ("patrol", "Patrol and special police", "巡特警"),
    ("legal", "Legal affairs", "法制"),
    ("admin", "Administration", "内勤"),
)

POSTING_ROLES = _terms(
    ("chief", "Chief", "所长/主任"),
    ("political_instructor", "Political instructor", "教导员"),
    ("deputy_chief", "Deputy chief", "副所长/副主任"),
    ("zone_lead", "Zone lead", "片区长"),
    ("community", "Community officer", "社区民警"),
    ("patrol", "Patrol", "巡逻"),
    ("investigator", "Investigator", "侦查员"),
    ("inspector", "Inspector", "检查员"),
    ("traffic", "Traffic", "交通"),
    ("case_handler", "Case handler", "办案"),
    ("back_office", "Back office", "内勤"),
    ("grid_auxiliary", "Grid auxiliary", "网格辅警"),
    ("staff", "Staff", "工作人员"),
)

# How a bureau's officers' identity numbers and phone numbers are written (engine/ids.py).
ID_SCHEMES = _terms(
    (
        "cn",
        "Mainland China: 18-character resident ID number, 11-digit mobile phone",
        "中国大陆：18位居民身份证号码、11位手机号码",
    ),
    ("other", "Other: identity document and phone numbers as given", "其他：证件号码和电话号码按原样保存"),
)

# Why someone reveals an officer's full ID number and birth date (with a text of their own).
REVEAL_REASONS = _terms(
    ("identity_check", "Identity check against another record", "与其他记录核对身份"),
    ("personnel_file", "Personnel file, rank or promotion review", "人事档案、警衔或晋升审核"),
    ("pay_welfare", "Pay, insurance or welfare procedure", "薪酬、保险或抚恤手续"),
    ("discipline", "Disciplinary or supervision inquiry", "纪律或督察调查"),
    ("audit", "Audit of this record", "审计核查"),
    ("legal", "Court or other legal request", "司法或其他法律程序要求"),
)

# Why someone reveals a phone number, plate or ID number named in a lead (with a text).
LEAD_REVEAL_REASONS = _terms(
    ("investigation", "Investigation of a case or a cluster of complaints", "案件或投诉线索侦查"),
    ("identity_check", "Identity check against another record", "与其他记录核对身份"),
    ("audit", "Audit of this record", "审计核查"),
    ("legal", "Court or other legal request", "司法或其他法律程序要求"),
)

PREMISES_CATEGORIES = _terms(
    ("hazchem_user", "Hazardous-chemicals user", "危化品使用单位"),
    ("entertainment", "Entertainment venue", "娱乐场所"),
    ("hotel", "Hotel", "旅馆"),
    ("rental_housing", "Rental housing", "出租房屋"),
    ("enterprise", "Enterprise", "企业"),
    ("school", "School", "学校"),
    ("financial", "Financial institution", "金融机构"),
    ("other", "Other", "其他"),
)

PREMISES_STATUSES = _terms(
    ("active", "Operating", "正常营业"),
    ("rectification", "Suspended for rectification", "停业整顿"),
    ("closed", "Closed", "已关闭"),
)

INSPECTION_ELEMENTS = _terms(
    ("hazardous_chemicals", "Hazardous chemicals", "危险化学品"),
    ("security", "Internal security", "内部安全保卫"),
    ("floating_population", "Floating population", "流动人口"),
    ("fire_safety", "Fire safety", "消防安全"),
    ("public_order", "Public order", "治安秩序"),
)

# How often each category must be inspected for each element: visits per year.
ELEMENT_REQUIREMENTS: dict[str, dict[str, int]] = {
    "hazchem_user": {"hazardous_chemicals": 12, "security": 4, "floating_population": 4, "fire_safety": 4},
    "entertainment": {"public_order": 12, "fire_safety": 4, "floating_population": 4},
    "hotel": {"public_order": 6, "fire_safety": 4, "floating_population": 6},
    "rental_housing": {"floating_population": 4, "fire_safety": 2},
    "enterprise": {"security": 2, "floating_population": 4, "fire_safety": 2},
    "school": {"security": 4, "fire_safety": 2},
    "financial": {"security": 6, "fire_safety": 2},
    "other": {"security": 1, "fire_safety": 1},
}

INCIDENT_SOURCES = _terms(
    ("call_110", "110 call", "110报警"),
    ("walk_in", "Walk-in report", "来所报案"),
    ("patrol", "Found on patrol", "巡逻发现"),
    ("online", "Online report", "网上报警"),
    ("transfer", "Transferred", "移交"),
)

INCIDENT_STATUSES = _terms(
    ("received", "Received", "已接警"),
    ("dispatched", "Dispatched", "已派警"),
    ("on_scene", "On scene", "已到场"),
    ("cleared", "Cleared", "已处置"),
    ("closed", "Closed", "已办结"),
)


@dataclass(frozen=True)
class IncidentCategory:
    """One node of the incident taxonomy.

    ``minutes`` is the documented default time one call of this category consumes
    (first officer, on scene plus report writing); ``backup`` is the number of extra
    officers usually sent. They are defaults for demand modelling, not measurements.
    """

    code: str
    parent: str | None
    en: str
    zh: str
    criminal: bool = False
    minutes: int = 45
    backup: float = 0.0


# Two levels: a family (code of two digits) and its categories (four digits).
INCIDENT_CATEGORIES: tuple[IncidentCategory, ...] = (
    IncidentCategory("01", None, "Criminal", "刑事类", True, 90, 1.0),
    IncidentCategory("0101", "01", "Theft", "盗窃", True, 75, 0.5),
    IncidentCategory("0102", "01", "Burglary", "入室盗窃", True, 120, 1.0),
    IncidentCategory("0103", "01", "Vehicle theft", "盗窃车辆", True, 90, 0.5),
    IncidentCategory("0104", "01", "Fraud", "诈骗", True, 120, 0.0),
    IncidentCategory("0105", "01", "Robbery", "抢劫抢夺", True, 180, 2.0),
    IncidentCategory("0106", "01", "Assault", "故意伤害", True, 150, 1.5),
    IncidentCategory("0107", "01", "Other crime", "其他刑事", True, 90, 0.5),
    IncidentCategory("02", None, "Public order", "治安类", False, 60, 0.5),
    IncidentCategory("0201", "02", "Fight or brawl", "殴打他人", False, 90, 1.0),
    IncidentCategory("0202", "02", "Gambling", "赌博", False, 120, 2.0),
    IncidentCategory("0203", "02", "Disturbance", "扰乱秩序", False, 45, 0.5),
    IncidentCategory("0204", "02", "Drunk and disorderly", "醉酒滋事", False, 60, 1.0),
    IncidentCategory("0205", "02", "Other public order", "其他治安", False, 45, 0.0),
    IncidentCategory("03", None, "Traffic", "交通类", False, 60, 0.5),
    IncidentCategory("0301", "03", "Traffic accident", "交通事故", False, 75, 0.5),
    IncidentCategory("0302", "03", "Traffic congestion", "交通拥堵", False, 45, 0.5),
    IncidentCategory("0303", "03", "Traffic violation", "交通违法", False, 30, 0.0),
    IncidentCategory("04", None, "Dispute", "纠纷类", False, 60, 0.3),
    IncidentCategory("0401", "04", "Neighbour dispute", "邻里纠纷", False, 60, 0.3),
    IncidentCategory("0402", "04", "Family dispute", "家庭纠纷", False, 60, 0.3),
    IncidentCategory("0403", "04", "Labour dispute", "劳资纠纷", False, 90, 0.5),
    IncidentCategory("0404", "04", "Commercial dispute", "经济纠纷", False, 60, 0.0),
    IncidentCategory("05", None, "Assistance", "求助类", False, 40, 0.0),
    IncidentCategory("0501", "05", "Missing person", "人员走失", False, 120, 1.0),
    IncidentCategory("0502", "05", "Lost property", "物品遗失", False, 30, 0.0),
    IncidentCategory("0503", "05", "Emergency help", "紧急求助", False, 45, 0.5),
    IncidentCategory("06", None, "Other", "其他类", False, 30, 0.0),
    IncidentCategory("0601", "06", "Fire or hazard", "火灾隐患", False, 45, 0.5),
    IncidentCategory("0602", "06", "Noise complaint", "噪声扰民", False, 30, 0.0),
    IncidentCategory("0699", "06", "Other", "其他", False, 30, 0.0),
)

CASE_KINDS = _terms(
    ("criminal", "Criminal case", "刑事案件"),
    ("administrative", "Administrative case", "行政案件"),
)

CASE_STATUSES = _terms(
    ("registered", "Registered", "已立案"),
    ("investigating", "Under investigation", "侦查中"),
    ("solved", "Solved", "已破案"),
    ("closed", "Closed", "已结案"),
    ("withdrawn", "Withdrawn", "已撤案"),
    ("suspended", "Suspended", "已中止"),
)

# Who a routing rule gives a case to (``cases.RoutingRule``).
ROUTING_TARGETS = _terms(
    ("station", "The station where it happened", "案发地派出所"),
    ("center", "The investigation center", "侦查打击中心"),
    ("unit", "A unit named in the rule", "指定单位"),
)

# The quality review of a case file before it goes on (to the prosecutor): checklist items
# per case kind, and the review's outcome.
REVIEW_ITEMS = {
    "criminal": _terms(
        ("evidence", "Evidence complete and lawfully obtained", "证据确实充分、来源合法"),
        ("statements", "Statements and interviews complete", "讯问询问笔录完整"),
        (
            "procedure",
            "Procedure followed (approvals, notices, measures)",
            "程序合法（审批、告知、强制措施）",
        ),
        ("property", "Seized property listed and handled", "涉案财物登记处置规范"),
        ("deadlines", "Deadlines kept", "办案期限符合规定"),
    ),
    "administrative": _terms(
        ("evidence", "Evidence complete and lawfully obtained", "证据确实充分、来源合法"),
        ("statements", "Statements and interviews complete", "询问笔录完整"),
        ("procedure", "Procedure followed (notices, hearing rights)", "程序合法（告知、听证权利）"),
        ("penalty", "Penalty lawful and proportionate", "处罚适当"),
        ("deadlines", "Deadlines kept", "办案期限符合规定"),
    ),
}
REVIEW_OUTCOMES = _terms(
    ("passed", "Passed: the file goes on", "审核通过"),
    ("returned", "Sent back for more work", "退回补充"),
)

# Stages of a case with a deadline (``engine.deadlines``).
CASE_STAGES = _terms(
    ("filing", "Filing decision", "立案审查"),
    ("first_action", "First action", "初查处置"),
    ("investigation", "Investigation", "侦查调查"),
    ("review", "Review", "案件审核"),
)

# Days of a bureau's calendar that differ from the week (``cases.CalendarDay``).
CALENDAR_DAY_KINDS = _terms(
    ("holiday", "Holiday (no work)", "节假日"),
    ("workday", "Adjusted working day", "调休上班"),
)

# Why a case changed hands (``cases.CaseTransfer``).
CASE_TRANSFER_KINDS = _terms(
    ("opened", "Owner on opening", "立案确定主办"),
    ("routed", "Routed by the bureau's rules", "按规则分派"),
    ("transfer", "Handed over", "移交"),
)

PETITION_STATUSES = _terms(
    ("received", "Received", "已受理"),
    ("handling", "Being handled", "办理中"),
    ("answered", "Answered", "已答复"),
    ("closed", "Closed", "已办结"),
)

SERIES_ORIGINS = _terms(
    ("analyst", "Linked by an analyst", "人工串并"),
    ("algorithm", "Proposed by linkage analysis", "算法串并"),
    ("ground_truth", "Generated ground truth", "生成真值"),
)


# Why an officer is locked in place by the reassignment (``engine.reassign``).
LOCK_REASONS = _terms(
    ("pinned", "pinned", "指定留任"),
    ("on_leave", "on leave", "休假"),
    ("near_retirement", "near retirement", "临近退休"),
)

# The reassignment's messages about its hard rules (``engine.reassign``): ``str.format``
# templates in English and Chinese. The engine fills in both, with each value in the
# message's language (unit names, officer kinds, skills, roles, ranks).
REASSIGN_MESSAGES = _terms(
    (
        "headcount_min",
        "{unit} needs at least {required} {kind} officers, only {available} can be placed there",
        "{unit}至少需要{required}名{kind}，只有{available}名可调入",
    ),
    (
        "headcount_max",
        "{unit} allows at most {required} {kind} officers, {available} are locked there",
        "{unit}最多可配{required}名{kind}，但已有{available}名锁定在该单位",
    ),
    (
        "on_duty",
        "{unit} needs {required} police to keep {on_duty} on duty in each of {shifts} shifts "
        "(relief factor {relief}), only {available} can be placed there",
        "{unit}每天{shifts}班、每班{on_duty}名民警在岗（轮休系数{relief}），需要{required}名民警，"
        "只有{available}名可调入",
    ),
    (
        "lead",
        "{unit} needs {required} zone lead(s) (roles {roles}{rank}), "
        "only {available} eligible officers can be placed there",
        "{unit}需要{required}名片区长（{roles}{rank}），只有{available}名符合条件的民警可调入",
    ),
    ("lead_rank", " or rank >= {rank}", "，或警衔不低于{rank}"),
    (
        "skill",
        "{unit} skill mix needs {required} {skill} level>={level}{kind}, only {available} movable or already there",
        "{unit}需要{required}名{skill}{level}级以上的{kind}，可调入或已在该单位的只有{available}名",
    ),
    (
        "locked",
        "{available} officers locked at {unit} (age >= {lock_age}, on leave or pinned) must stay",
        "{unit}有{available}名人员锁定（年满{lock_age}岁、休假或指定留任），必须留在原单位",
    ),
    (
        "candidates",
        "officers may only move to their candidate units (at most {max_candidates} each: "
        "the centers, units needing their skills, then units within {radius} km of home)",
        "人员只能调往各自的候选单位（每人最多{max_candidates}个：两个中心、需要其技能的单位、"
        "离家{radius}公里以内的单位）",
    ),
    (
        "violation_min",
        "{unit} has {have} {what}, needs at least {required}",
        "{unit}现有{have}名{what}，至少需要{required}名",
    ),
    (
        "violation_max",
        "{unit} has {have} {what}, needs at most {required}",
        "{unit}现有{have}名{what}，最多{required}名",
    ),
    ("violation_locked", "officer {officer} is {reason} but moved", "人员{officer}（{reason}）被调动"),
    ("lead_officers", "lead", "片区长"),
)


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(t.code for t in terms)


CATEGORY_BY_CODE: dict[str, IncidentCategory] = {c.code: c for c in INCIDENT_CATEGORIES}
