"""Petitions (信访件): ordinary complaints about incidents, and one car-loan gang.

Most petitions follow an incident (slow response, a dispute's outcome, noise); some give
the petitioner's phone, some name a one-off shop, and many say they already called the
county's complaint line (a hub number that must join nothing). Among them, over the
three years, sixteen complaints name four car-loan companies that act as one gang: each
company shares a contact with the next (a salesman's mobile, a landline, the tow truck's
plate), so only the chain joins them, the way the investigation center found four
car-loan gangs in five days from one report. Phone numbers are written the ways people
write them (dashes, spaces, full-width digits). Every person is generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .model import IncidentColumns
from .names import BulkNames, phones

ORDINARY_SUBJECTS = ("反映出警不及时", "反映纠纷处理结果", "反映噪声扰民", "反映治安隐患", "反映案件办理进度")
LEAD_SUBJECTS = ("反映车贷公司收取高额费用", "反映车辆被强行拖走", "反映车贷“套路”合同", "反映暴力催收")
COMPLAINT_LINE = "0572-6012110"  # the county's complaint line: named by many, joins nothing
_BRANDS = ("恒信", "鑫达", "宏图", "诚通", "安顺", "利众", "金泰", "华盛", "汇丰源", "融通", "速捷", "瑞祥")
_TRADES = ("汽车信息咨询有限公司", "汽车租赁有限公司", "融资租赁有限公司", "二手车经纪有限公司")
_SHOPS = ("商贸有限公司", "电器商行", "装饰工程有限公司", "物流有限公司", "餐饮管理有限公司")
_SHOP_CHARS = "福康乐佳美新华丰源盛隆昌广海天明光远志德兴永祥瑞嘉和"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class PetitionSpec:
    """One petition: when (Beijing time), who, about what; the grid whose station handles it.

    ``incident`` is the index of the incident it follows (-1: none); ``lead`` the index of
    the car-loan gang it complains about (-1: none), a label for checking the leads, which
    never read it.
    """

    received: dt.datetime
    petitioner: str
    phone: str
    subject: str
    content: str
    grid: str
    incident: int
    lead: int


def _written(rng: np.random.Generator, phone: str) -> str:
    """A mobile number as people write it."""
    style = int(rng.integers(4))
    if style == 1:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 2:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 3:
        return phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return phone


def _plate(rng: np.random.Generator) -> str:
    letters = rng.choice(list(_LETTERS), size=2)
    return f"浙{letters[0]}{letters[1]}{int(rng.integers(1000, 10000))}"


def build_petitions(
    rng: np.random.Generator, incidents: IncidentColumns, county_zh: str, start: dt.date, end: dt.date
) -> tuple[PetitionSpec, ...]:
    """The county's petitions, oldest first."""
    inc = incidents
    out: list[PetitionSpec] = []
    n = max(1, len(inc) // 250)
    picks = (
        np.sort(rng.choice(len(inc), size=min(n, len(inc)), replace=False)) if len(inc) else np.array([], int)
    )
    for k, i in enumerate(picks.tolist()):
        when = inc.received[i].astype("datetime64[s]").tolist() + dt.timedelta(days=3)
        name, phone = inc.reporters[inc.reporter_idx[i]]
        text = inc.descriptions[inc.description_idx[i]]
        roll = rng.random()
        if roll < 0.3:
            text += f"，已多次拨打{COMPLAINT_LINE}反映未果"
        elif roll < 0.45:
            text += f"，联系电话{_written(rng, phone)}"
        elif roll < 0.55:
            brand = "".join(rng.choice(list(_SHOP_CHARS), size=2, replace=False).tolist())
            text += f"，涉及{county_zh[:2]}{brand}{_SHOPS[int(rng.integers(len(_SHOPS)))]}"
        out.append(
            PetitionSpec(
                received=when,
                petitioner=name,
                phone=phone,
                subject=ORDINARY_SUBJECTS[k % len(ORDINARY_SUBJECTS)],
                content=text + "。",
                grid=str(inc.grid[i]),
                incident=i,
                lead=-1,
            )
        )
    out.extend(_car_loan_gang(rng, inc, county_zh, start, end))
    out.sort(key=lambda p: p.received)
    return tuple(out)


def _car_loan_gang(
    rng: np.random.Generator, inc: IncidentColumns, county_zh: str, start: dt.date, end: dt.date
) -> list[PetitionSpec]:
    if not len(inc):
        return []
    brands = rng.choice(len(_BRANDS), size=4, replace=False)
    companies = [f"{county_zh[:2]}{_BRANDS[b]}{_TRADES[k]}" for k, b in enumerate(brands.tolist())]
    mobile_a, mobile_b = phones(rng, 2)
    landline = f"0572-{int(rng.integers(2_000_000, 9_999_999))}"
    tow = _plate(rng)
    # company k and k+1 share a contact: 0-1 a salesman's mobile, 1-2 a landline, 2-3 the tow
    # truck, 3-0 another mobile; each complaint names its company and one or two contacts
    contacts = [(mobile_b, mobile_a), (mobile_a, landline), (landline, tow), (tow, mobile_b)]
    victims = BulkNames().names(rng, 16)
    victim_phones = phones(rng, 16)
    span = (end - start).days
    days = np.sort(rng.choice(span, size=16, replace=False))
    out = []
    for j in range(16):
        k = j % 4
        company = companies[k]
        first, second = contacts[k]
        amount = int(rng.integers(8, 60)) * 1000
        contact = first if j // 4 % 2 == 0 else second
        words = (
            f"拖车{contact}"
            if contact == tow
            else (f"座机{contact}" if contact == landline else _written(rng, contact))
        )
        when = dt.datetime.combine(start + dt.timedelta(days=int(days[j])), dt.time(9 + j % 8, 10 * (j % 6)))
        own = _plate(rng)
        template = j % 4
        if template == 0:
            text = (
                f"{victims[j]}反映：{when.year}年{when.month}月在{company}办理“以租代购”车贷，业务员称零首付，"
                f"签约后被收取GPS安装费、服务费共{amount}元，业务员电话{words}。"
            )
        elif template == 1:
            text = (
                f"{victims[j]}反映其车辆{own}被{company}以“违约”为由强行拖走，对方联系方式{words}，"
                f"要求支付{amount}元才能取回车辆。"
            )
        elif template == 2:
            text = (
                f"{victims[j]}反映：经朋友介绍到{company}贷款购车，合同另附“补充协议”，逾期一天即收取高额违约金，"
                f"催收人员{words}。"
            )
        else:
            text = f"反映{company}工作人员多次上门催收并威胁家人（{words}），已被收取{amount}元，请求公安机关查处。"
        i = int(rng.integers(len(inc)))
        out.append(
            PetitionSpec(
                received=when,
                petitioner=victims[j],
                phone=victim_phones[j],
                subject=LEAD_SUBJECTS[template],
                content=text,
                grid=str(inc.grid[i]),
                incident=-1,
                lead=0,
            )
        )
    return out
