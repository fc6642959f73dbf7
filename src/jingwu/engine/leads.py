"""Leads: entities in the free text of incidents, cases and petitions, and the clusters of
records that point at the same entities (the car-loan example: five years of complaints
naming the same company and the same phone number).

``extract(text)`` finds company names, phone numbers (mobiles, landlines with an area
code, international numbers), vehicle plates (including new-energy plates), identity
numbers (the 18-digit resident ID number with its check digit; passports and other
documents named as such) and addresses (matched against the bureau's address book where
one is given). Each entity has a normalised value, the key under which mentions across
records and years are counted.

``cluster(records, ...)`` joins records that share a discriminating entity (one that at
least two and at most ``max_records`` records name: a bank's hotline named by hundreds of
complaints joins nothing) into connected components, and flags those with enough records
and entities, with the evidence: which records, which entity, which dates.

Framework-free: strings, dates and frozen dataclasses in, dataclasses out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .ids import id_number_problem
from .intake import address_score

KINDS = ("company", "phone", "plate", "id_number", "address")
PERSONAL_KINDS = frozenset({"phone", "plate", "id_number"})

# -- normalisation ----------------------------------------------------------------------

_SEPARATORS = dict.fromkeys(map(ord, "‐‑‒–—―−﹣－～~"), "-") | dict.fromkeys(
    map(ord, "\u00a0\u2002\u2003\u2009\u3000\t\r\n"), " "
)
_MANY_SPACES = re.compile(r" {2,}")
_BRACKETS = {ord("("): "（", ord(")"): "）"}


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), every dash to ``-``, every space to one.

    NFKC also turns full-width brackets into ASCII ones; company names put them back
    (``company_key``). Offsets of entities refer to this normalised text.
    """
    if not text:
        return ""
    out = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    return _MANY_SPACES.sub(" ", out) if "  " in out else out


# -- the patterns -------------------------------------------------------------------------

_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9+])[(（]?(0[1-9][0-9]{1,2})[)）]?[- ]?([2-9][0-9]{6,7})(?![0-9])")
_INTERNATIONAL = re.compile(
    r"(?<![0-9A-Za-z])\+(?!86)([1-9][0-9]{0,2})[- ]?([0-9][0-9 -]{5,14}[0-9])(?![0-9])"
)

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"([{PROVINCES}])[ ·•.-]?([A-HJ-NP-Za-hj-np-z])[ ·•.-]?([A-HJ-NP-Za-hj-np-z0-9]{{4,6}})([挂学警港澳领试超]?)(?![A-Za-z0-9])"
)

_ID18 = re.compile(r"(?<![0-9A-Za-z])([0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
# Documents named as such: a passport, a Hong Kong/Macao/Taiwan pass, a residence permit,
# a foreign ID... the token after the name is the number, whatever its shape.
_NAMED_ID = re.compile(
    r"(?:护照|通行证|居留证|居住证|证件|身份证|台胞证|回乡证|ID)(?:号码|号|编号|No\.?)?[:： ]{0,2}"
    r"([A-Za-z0-9][A-Za-z0-9()（）-]{4,23}[A-Za-z0-9)）])"
)
# Passport-like tokens standing alone: Chinese passports (E/G/D/S/P + 8 digits, EA1234567).
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])([EGDSP][0-9]{8}|E[A-Z][0-9]{7})(?![0-9A-Za-z])")

_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9（）()·&]"
_COMPANY = re.compile(
    rf"({_NAME_CHARS}{{2,40}}?"
    r"(?:有限责任公司|股份有限公司|有限公司|集团公司|分公司|公司|商行|经营部|门市部|工作室|合作社|"
    r"(?:服务|咨询|信息|贸易|商务|管理|培训|投资|金融|财富|理财|科技)中心))"
)
# Words after which a name starts (the text before them is the sentence, not the name).
_LEFT_CUTS = (
    "自称是",
    "自称",
    "名为",
    "叫做",
    "一家",
    "这家",
    "那家",
    "某家",
    "所谓",
    "涉事",
    "涉及",
    "通过",
    "经过",
    "委托",
    "就是",
    "即",
    "在",
    "向",
    "被",
    "与",
    "和",
    "跟",
    "同",
    "的",
    "到",
    "从",
    "是",
    "称",
    "于",
    "给",
    "找",
    "由",
    "叫",
    "该",
    "及",
    "对",
    "把",
    "将",
    "其",
    "或",
    "、",
    "反映",
    "家住",
    "住在",
    "位于",
    "地址",
    "住",
)
_CUT = re.compile("|".join(sorted(_LEFT_CUTS, key=len, reverse=True)))
_GENERIC = frozenset({"公司", "有限公司", "分公司", "该公司", "本公司", "贵公司", "总公司", "子公司"})

_ADDRESS = re.compile(
    r"([\u4e00-\u9fff0-9]{2,24}?"
    r"(?:(?:路|街|大道|大街|巷|弄|道) ?[0-9]+ ?号(?: ?[0-9]+ ?(?:幢|栋|号楼|单元|楼|室|层))*"
    r"|(?:村|社区|小区|花园|公寓|大厦|广场)(?:[0-9]+(?:幢|栋|号楼|号|单元|楼|室|层))*))"
)


@dataclass(frozen=True)
class Entity:
    """One entity found in a text: its kind, normalised value, how it was written and where.

    ``detail`` says more about the value: the identity document (``cn18``, ``passport``,
    ``other``), the phone (``mobile``, ``landline``, ``international``), the plate
    (``new_energy``, ``regular``), or an address matched in the address book (``matched``).
    """

    kind: str
    value: str
    raw: str
    start: int
    end: int
    detail: str = ""


def _left_trim(name: str) -> str:
    """Cut the sentence off the front of a name: after the last cut word before the suffix."""
    best = 0
    for m in _CUT.finditer(name, 0, max(0, len(name) - 2)):
        best = m.end()
    return name[best:]


def company_key(name: str) -> str:
    """A company's normalised name: full-width brackets, no spaces."""
    return name.replace(" ", "").translate(_BRACKETS)


def _plate_ok(body: str, suffix: str) -> str:
    """``new_energy``, ``regular`` or "" (not a plate) for the characters after the letter."""
    body = body.upper()
    digits = sum(ch.isdigit() for ch in body)
    if len(body) == 6:
        # new-energy: small cars D/F first then a letter or digit and four digits; large cars five digits then D/F
        if body[0] in "DF" and body[2:].isdigit():
            return "new_energy"
        if body[-1] in "DF" and body[:5].isdigit():
            return "new_energy"
        return ""
    if len(body) == 5 and not suffix:
        return "regular" if digits >= 3 else ""
    if len(body) == 4 and suffix:
        return "regular" if digits >= 2 else ""
    return ""


_NUMBERS = re.compile(r"[0-9]+")


class AddressBook:
    """The bureau's known addresses, for matching what a text says to one of them.

    A text's address matches a known one when they are equal, or when they carry the same
    numbers and one ends with the other (the text left out the county or the town:
    城西路9号 is 长兴县城西路9号, never 城西路19号 or 城东路9号); of several, the most alike
    by the duty desk's similarity.
    """

    def __init__(self, addresses: Iterable[str]) -> None:
        self.addresses: list[str] = []
        self._exact: set[str] = set()
        self._by_numbers: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
        for a in addresses:
            key = normalise(a).replace(" ", "")
            if not key or key in self._exact:
                continue
            self.addresses.append(key)
            self._exact.add(key)
            self._by_numbers[tuple(_NUMBERS.findall(key))].append((_NUMBERS.sub("#", key), key))

    def __len__(self) -> int:
        return len(self.addresses)

    def match(self, text: str) -> str | None:
        """The known address ``text`` names, or None."""
        key = text.replace(" ", "")
        if key in self._exact:
            return key
        shape = _NUMBERS.sub("#", key)
        best, best_score = None, -1.0
        for other, address in self._by_numbers.get(tuple(_NUMBERS.findall(key)), ()):
            if other.endswith(shape) or shape.endswith(other):
                s = address_score(key, address)
                if s > best_score:
                    best, best_score = address, s
        return best


def extract(
    text: str, *, address_book: AddressBook | None = None, kinds: Sequence[str] = KINDS
) -> list[Entity]:
    """The entities of ``text``, in order of appearance, each once per place.

    Never raises on any string: what does not fit a pattern is left alone.
    """
    t = normalise(text or "")
    if not t:
        return []
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(kind: str, value: str, s: int, e: int, detail: str = "") -> None:
        found.append(Entity(kind, value, t[s:e], s, e, detail))
        taken.append((s, e))

    want = set(kinds)
    # Identity numbers first: their digits would otherwise read as phone numbers.
    if "id_number" in want:
        for m in _ID18.finditer(t):
            v = re.sub(r"[ -]", "", m.group(1)).upper()
            if id_number_problem(v) is None:
                add("id_number", v, m.start(1), m.end(1), "cn18")
        for m in _NAMED_ID.finditer(t):
            s, e = m.start(1), m.end(1)
            if not free(s, e):
                continue
            v = m.group(1).upper().translate({ord("（"): "(", ord("）"): ")"})
            digits = re.sub(r"[ -]", "", v)
            if len(digits) == 18 and digits[:17].isdigit():
                continue  # an 18-digit number that failed its check digit: not an ID number
            if 5 <= len(v) <= 25 and sum(ch.isdigit() for ch in v) >= 4:
                add("id_number", v, s, e, "passport" if t[m.start() : m.start() + 2] == "护照" else "other")
        for m in _PASSPORT.finditer(t):
            if free(m.start(1), m.end(1)):
                add("id_number", m.group(1), m.start(1), m.end(1), "passport")
    if "phone" in want:
        for m in _MOBILE.finditer(t):
            if free(m.start(), m.end()):
                add("phone", "".join(m.groups()), m.start(), m.end(), "mobile")
        for m in _LANDLINE.finditer(t):
            area, local = m.group(1), m.group(2)
            # 010 and 02x have three digits; every other area code four
            if (area[1] in "12") != (len(area) == 3):
                continue
            if free(m.start(), m.end()):
                add("phone", f"{area}-{local}", m.start(), m.end(), "landline")
        for m in _INTERNATIONAL.finditer(t):
            if free(m.start(), m.end()):
                add(
                    "phone",
                    f"+{m.group(1)}-{re.sub(r'[ -]', '', m.group(2))}",
                    m.start(),
                    m.end(),
                    "international",
                )
    if "plate" in want:
        for m in _PLATE.finditer(t):
            kind = _plate_ok(m.group(3), m.group(4))
            if kind and free(m.start(), m.end()):
                v = m.group(1) + m.group(2).upper() + m.group(3).upper() + m.group(4)
                add("plate", v, m.start(), m.end(), kind)
    if "company" in want:
        for m in _COMPANY.finditer(t):
            name = _left_trim(m.group(1))
            s = m.end(1) - len(name)
            short = name.endswith("公司") and not name.endswith("有限公司") and len(name) < 6
            if len(name) < 4 or short or name in _GENERIC or not free(s, m.end(1)):
                continue
            add("company", company_key(name), s, m.end(1))
    if "address" in want:
        for m in _ADDRESS.finditer(t):
            a = _left_trim(m.group(1)).replace(" ", "")
            s = m.end(1) - len(_left_trim(m.group(1)))
            if len(a) < 3 or not free(s, m.end(1)):
                continue
            known = address_book.match(a) if address_book is not None else None
            add("address", known or a.replace(" ", ""), s, m.end(1), "matched" if known else "")
    found.sort(key=lambda x: (x.start, x.kind))
    return found


# -- masking of the personal kinds --------------------------------------------------------


def mask_plate(value: str) -> str:
    """浙F***45: the province and the letter, the last two characters."""
    if len(value) < 5:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


# -- aggregation and clusters -------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """A record whose text named entities: ``key`` identifies it (``petition:17``)."""

    key: str
    on: dt.date
    entities: frozenset[tuple[str, str]]  # (kind, value)


def by_year(records: Iterable[Record]) -> dict[tuple[str, str], dict[int, int]]:
    """Per entity, the number of records naming it in each year."""
    out: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        for ent in r.entities:
            out[ent][r.on.year] += 1
    return {k: dict(sorted(v.items())) for k, v in out.items()}


@dataclass(frozen=True)
class Evidence:
    """One entity of a cluster and the records of the cluster that name it."""

    kind: str
    value: str
    records: tuple[tuple[str, dt.date], ...]


@dataclass(frozen=True)
class Cluster:
    records: tuple[tuple[str, dt.date], ...]  # (key, date), oldest first
    evidence: tuple[Evidence, ...]  # most-named entity first
    first: dt.date
    last: dt.date

    @property
    def years(self) -> int:
        return self.last.year - self.first.year + 1


@dataclass(frozen=True)
class ClusterSettings:
    """When a group of records is a lead.

    - ``kinds``: the entity kinds that join records (addresses are left out by default:
      many complaints about one market are not a gang);
    - ``max_records``: an entity named by more records is a hub (a bank's hotline, the
      bureau's own number) and joins nothing;
    - ``min_records`` and ``min_entities``: a flagged cluster has at least this many
      records, joined through at least this many distinct entities;
    - ``min_days``: and its records span at least this many days (complaints of one
      afternoon about one shop are one event, not a pattern).
    """

    kinds: frozenset[str] = field(
        default_factory=lambda: frozenset({"company", "phone", "plate", "id_number"})
    )
    max_records: int = 60
    min_records: int = 3
    min_entities: int = 2
    min_days: int = 30

    def __post_init__(self) -> None:
        if self.min_records < 2 or self.max_records < self.min_records or self.min_entities < 1:
            raise ValueError("need 2 <= min_records <= max_records and min_entities >= 1")
        if self.min_days < 0 or not self.kinds or not set(self.kinds) <= set(KINDS):
            raise ValueError("min_days must be >= 0 and kinds a non-empty subset of the kinds")


def cluster(records: Sequence[Record], settings: ClusterSettings | None = None) -> list[Cluster]:
    """Flagged clusters of ``records``, the largest first (connected components on shared entities)."""
    cfg = settings or ClusterSettings()
    naming: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for ent in r.entities:
            if ent[0] in cfg.kinds:
                naming[ent].append(i)
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links = {e: idx for e, idx in naming.items() if 2 <= len(idx) <= cfg.max_records}
    for idx in links.values():
        root = find(idx[0])
        for j in idx[1:]:
            rj = find(j)
            if rj != root:
                parent[rj] = root
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[find(i)].append(i)
    ents_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for e, idx in links.items():
        ents_of[find(idx[0])].append(e)
    out: list[Cluster] = []
    for root, members in groups.items():
        ents = ents_of.get(root, [])
        if len(members) < cfg.min_records or len(ents) < cfg.min_entities:
            continue
        dates = [records[i].on for i in members]
        first, last = min(dates), max(dates)
        if (last - first).days < cfg.min_days:
            continue
        evidence = [
            Evidence(
                k, v, tuple(sorted(((records[i].key, records[i].on) for i in links[(k, v)]), key=_by_date))
            )
            for k, v in ents
        ]
        evidence.sort(key=lambda ev: (-len(ev.records), ev.kind, ev.value))
        recs = tuple(sorted(((records[i].key, records[i].on) for i in members), key=_by_date))
        out.append(Cluster(recs, tuple(evidence), first, last))
    out.sort(key=lambda c: (-len(c.records), c.first, c.records[0][0]))
    return out


def _by_date(item: tuple[str, dt.date]) -> tuple[dt.date, str]:
    return (item[1], item[0])
