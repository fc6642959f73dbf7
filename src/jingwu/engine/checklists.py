"""Checklists used at the door: one list per inspection element, and the entertainment-venue
responsibility checklist (four lists, 23 measures). The wording is Jingwu's own.

Codes are stable (stored with the answers); texts carry Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Checklist:
    code: str
    zh: str
    en: str
    items: tuple[Item, ...]


def _list(code: str, zh: str, en: str, *items: tuple[str, str, str]) -> Checklist:
    return Checklist(code, zh, en, tuple(Item(f"{code}.{c}", z, e) for c, z, e in items))


# The entertainment-venue responsibility checklist: four lists, 23 measures.
ENTERTAINMENT = (
    _list(
        "ent_licence",
        "一、证照与从业人员",
        "1. Licences and staff",
        (
            "1",
            "娱乐经营许可证在有效期内并在显著位置悬挂",
            "The entertainment licence is valid and displayed where guests see it",
        ),
        (
            "2",
            "营业执照与实际经营地址、经营范围一致",
            "The business licence matches the address and the business actually run",
        ),
        (
            "3",
            "从业人员名册完整，并已报送属地派出所",
            "The staff register is complete and has been given to the local station",
        ),
        (
            "4",
            "从业人员身份证件已核验，无未成年人从业",
            "Staff identity documents are checked; no minor works here",
        ),
        ("5", "治安保卫负责人已明确并在岗", "A person responsible for security is named and on duty"),
        (
            "6",
            "保安人员持证上岗，人数与经营面积相适应",
            "Security guards hold their certificates and are enough for the floor area",
        ),
    ),
    _list(
        "ent_records",
        "二、登记与台账",
        "2. Registration and ledgers",
        ("1", "营业日志逐日记录，内容完整", "The daily business log is kept every day and complete"),
        (
            "2",
            "巡查记录按时填写，发现问题有处置记录",
            "Patrol records are written on time; problems found show what was done",
        ),
        (
            "3",
            "治安事件、可疑情况登记并及时报告",
            "Public-order events and suspicious matters are logged and reported at once",
        ),
        ("4", "视频监控录像保存不少于30日", "Video recordings are kept for at least 30 days"),
        ("5", "台账保存期满两年方可销毁", "Ledgers are kept for two full years before being destroyed"),
        (
            "6",
            "包厢、卡座等经营区域台账与实际一致",
            "The ledger of rooms and booths matches the rooms and booths in use",
        ),
    ),
    _list(
        "ent_premises",
        "三、场所与设施",
        "3. Premises and facilities",
        (
            "1",
            "包厢门窗透明，不设内锁、暗道",
            "Room doors have clear panels, no inner locks and no hidden passages",
        ),
        (
            "2",
            "视频监控覆盖出入口、主要通道和收银台",
            "Cameras cover the entrances, the main corridors and the cash desk",
        ),
        ("3", "营业场所照度符合规定", "Lighting in the rooms meets the required level"),
        (
            "4",
            "安全出口、疏散通道畅通，标志清晰",
            "Emergency exits and escape routes are clear and clearly marked",
        ),
        ("5", "消防设施、器材完好有效", "Fire equipment is in place and in working order"),
        ("6", "未成年人禁入标志醒目", "The no-minors sign is clearly displayed"),
    ),
    _list(
        "ent_prevention",
        "四、防范与报告",
        "4. Prevention and reporting",
        ("1", "无涉黄、涉赌、涉毒活动及迹象", "No sign of prostitution, gambling or drugs"),
        ("2", "发现违法犯罪活动立即报告公安机关", "Any crime seen is reported to the police at once"),
        (
            "3",
            "打架斗殴等警情及时报警，未隐瞒不报",
            "Fights and other incidents are reported at once, never kept quiet",
        ),
        ("4", "营业时间符合规定，按时停止营业", "Opening hours are kept and business stops on time"),
        (
            "5",
            "定期组织从业人员治安、消防培训",
            "Staff are trained regularly in public order and fire safety",
        ),
    ),
)

# One list per inspection element (codes of vocab.INSPECTION_ELEMENTS).
ELEMENT_LISTS = {
    "public_order": _list(
        "public_order",
        "治安秩序",
        "Public order",
        ("1", "治安保卫制度健全并落实", "Security rules exist and are followed"),
        ("2", "治安事件登记和报告及时", "Public-order events are logged and reported on time"),
        ("3", "无违法犯罪活动迹象", "No sign of crime on the premises"),
        ("4", "视频监控运行正常、录像留存", "Cameras work and recordings are kept"),
    ),
    "fire_safety": _list(
        "fire_safety",
        "消防安全",
        "Fire safety",
        ("1", "消防安全责任人、管理人明确", "The persons responsible for fire safety are named"),
        ("2", "灭火器、消火栓完好有效", "Extinguishers and hydrants are in working order"),
        ("3", "安全出口、疏散通道畅通", "Exits and escape routes are clear"),
        ("4", "电气线路无私拉乱接", "No improvised electrical wiring"),
        ("5", "每月组织防火检查并留记录", "A monthly fire check is made and recorded"),
    ),
    "floating_population": _list(
        "floating_population",
        "流动人口",
        "Floating population",
        ("1", "流动人口、住客信息按规定登记", "Migrant workers and guests are registered as required"),
        ("2", "旅客住宿信息24小时内上传", "Guest registrations are uploaded within 24 hours"),
        ("3", "登记信息与实际人员一致", "The registered people match the people present"),
    ),
    "security": _list(
        "security",
        "内部安全保卫",
        "Internal security",
        ("1", "要害部位明确并落实防范措施", "Sensitive areas are identified and protected"),
        ("2", "值班、巡查制度落实", "Duty and patrol rules are followed"),
        ("3", "重要物资、现金保管安全", "Valuable goods and cash are kept safely"),
        ("4", "技防设施完好、报警联网", "Alarms work and are connected"),
    ),
    "hazardous_chemicals": _list(
        "hazardous_chemicals",
        "危险化学品",
        "Hazardous chemicals",
        ("1", "危险化学品专库专柜存放、双人双锁", "Stored in a dedicated store, two people and two locks"),
        ("2", "购买、使用、销售台账完整", "The purchase, use and sales ledgers are complete"),
        ("3", "易制毒化学品销售按时备案", "Precursor-chemical sales are reported on time"),
        (
            "4",
            "剧毒、易制爆化学品流向可查",
            "Where highly toxic and explosive-precursor chemicals went can be traced",
        ),
        ("5", "从业人员经过安全培训", "Staff handling them are trained"),
    ),
}


def checklists_for(category: str, elements) -> list[Checklist]:
    """The lists of a visit: the entertainment-venue checklist for entertainment venues (it
    holds their public-order element), then one list per other element, in element order."""
    out: list[Checklist] = []
    els = list(elements)
    if category == "entertainment":
        out += list(ENTERTAINMENT)
        els = [e for e in els if e != "public_order"]
    out += [ELEMENT_LISTS[e] for e in sorted(els) if e in ELEMENT_LISTS]
    return out


def item_codes(lists) -> list[str]:
    return [i.code for c in lists for i in c.items]
