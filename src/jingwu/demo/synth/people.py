"""Officers, auxiliaries and their postings before and after the reform.

The workforce is built as flows from pre-reform posts (as at the day before the
reform) to post-reform posts, so that the reform's facts hold by construction:

- the old urban station: 28 police averaging 47.6 years before; 6 stay, 22 older
  officers move to headquarters departments and the prevention center, and 30 younger
  officers move in, so that the 36 after average 34.7;
- the investigation center: leaders from the merged investigation units, the young
  members of those units, the textile town's three, the eight women from back-office
  posts, and young officers drawn from the stations, chosen so the center averages 32;
- the textile town: 18 before, 15 after (three to the investigation center), in three
  zones from the zone model's start, each led by a deputy chief;
- eight female officers: back office before, investigators in the women's strike squad
  after;
- the rural stations take over traffic: two traffic police each.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from faker import Faker

from jingwu.engine.ids import make_id_number

from .common import END, REFORM_DATE, Frame, add_years, years_between
from .geometry import Layout, StationPlan
from .model import OfficerSpec, PostingSpec
from .names import phones
from .org import PRE_REFORM_TO, TEXTILE_ZONES_FROM, OrgTree

REF = PRE_REFORM_TO  # ages "before the reform" are taken on this day
EARLIEST_HIRE = dt.date(1979, 8, 1)

OLD_URBAN_BEFORE = (28, 47.6)
OLD_URBAN_AFTER = (36, 34.7)
OLD_URBAN_STAYERS = 6
INVESTIGATION_MEAN_AGE = 32.0
TEXTILE_BEFORE, TEXTILE_TO_CENTER = 18, 3
FEMALE_MOVERS = 8


@dataclass(frozen=True)
class BeforeReform:
    """The old urban station (police, mean age) and the textile town's police the day before
    the reform. The defaults are the reform's own figures; other figures make counties on
    which to check that the planner does not merely reproduce them."""

    old_urban: tuple[int, float] = OLD_URBAN_BEFORE
    textile_police: int = TEXTILE_BEFORE


PRE_SIZES = {
    "XJDD": 45, "ZADD": 20, "XTDD": 30, "SSPCS": 10, "JZDD": 10,
    "JDDD": 8, "WJDD": 8, "QBZX": 8, "NBDD": 6, "JSS": 8,
}  # fmt: skip
HQ_SIZES = {"HQ": 6, "ZHZX": 16, "ZZC": 10, "JWBZ": 8, "FZDD": 8, "DCDD": 5, "JJDD": 55}
PRE_ROLE = {
    "XJDD": "investigator", "JZDD": "investigator", "JDDD": "investigator", "WJDD": "investigator",
    "JSS": "investigator", "ZADD": "inspector", "NBDD": "inspector", "XTDD": "patrol", "SSPCS": "patrol",
    "QBZX": "staff", "ZHZX": "staff", "ZZC": "staff", "JWBZ": "staff", "FZDD": "staff", "DCDD": "staff",
    "JJDD": "traffic",
}  # fmt: skip
SUCCESSOR = {
    "XJDD": ("ZHZX", "staff"), "JZDD": ("FZDD", "staff"), "JDDD": ("ZHZX", "staff"),
    "WJDD": ("ZHZX", "staff"), "JSS": ("ZHZX", "staff"), "ZADD": ("FK-ZA", "inspector"),
    "NBDD": ("FK-ZA", "inspector"), "XTDD": ("FK-XT", "patrol"), "SSPCS": ("FK-SS", "patrol"),
    "QBZX": ("ZHZX", "staff"),
}  # fmt: skip


@dataclass
class _Person:
    kind: str
    gender: str
    birth: dt.date
    hired: dt.date
    pre: tuple[str, str] | None = None
    post: tuple[str, str] | None = None
    post_from: dt.date = REFORM_DATE
    interim: tuple[str, str] | None = None  # textile town: at the station until the zones start
    origin: str = ""  # "station", "old", "hq", "recruit"
    station: int = -1  # pre-reform station index
    leader: bool = False
    mover: bool = False
    postings: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    status: str = "active"

    @property
    def age(self) -> float:
        return years_between(self.birth, REF)


def _ages(rng: np.random.Generator, n: int, mean: float, sd: float, lo: float, hi: float) -> np.ndarray:
    """``n`` ages in [lo, hi] whose mean is ``mean`` (shifted and re-clipped a few times)."""
    a = np.clip(rng.normal(mean, sd, n), lo, hi)
    for _ in range(30):
        a = np.clip(a + (mean - a.mean()), lo, hi)
    return a


def _station_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    young = rng.random(n) < 0.32
    return np.where(
        young,
        np.clip(rng.normal(28.5, 2.8, n), 23.0, 34.0),
        np.clip(rng.normal(44.0, 7.0, n), 30.0, 59.9),
    )


def pick_with_mean(rng: np.random.Generator, ages: np.ndarray, k: int, target: float) -> np.ndarray:
    """Choose ``k`` of ``ages`` (indices) whose mean is as close to ``target`` as swaps allow."""
    n = len(ages)
    k = min(k, n)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[:k]] = True
    for _ in range(4 * n + 10):
        cur = ages[mask].mean()
        diff = target - cur
        if abs(diff) < 0.02 or k == n:
            break
        inside, outside = np.flatnonzero(mask), np.flatnonzero(~mask)
        a = inside[np.argmin(ages[inside])] if diff > 0 else inside[np.argmax(ages[inside])]
        want = ages[a] + diff * k
        b = outside[np.argmin(np.abs(ages[outside] - want))]
        if abs(target - (cur + (ages[b] - ages[a]) / k)) >= abs(diff):
            break
        mask[a], mask[b] = False, True
    return np.flatnonzero(mask)


class _Workforce:
    def __init__(
        self,
        rng: np.random.Generator,
        plans: list[StationPlan],
        org: OrgTree,
        layout: Layout,
        scale: float,
        before: BeforeReform = BeforeReform(),
    ) -> None:
        self.rng = rng
        self.before = before
        self.plans = plans
        self.org = org
        self.layout = layout
        self.scale = scale
        self.people: list[_Person] = []
        self.zones_of = {
            s: [org.zone_codes[z] for z in np.flatnonzero(layout.zone_station == s)]
            for s in range(len(plans))
        }
        self.old_urban = next(i for i, p in enumerate(plans) if p.role == "old_urban")
        self.textile = next(i for i, p in enumerate(plans) if p.role == "textile")

    def sz(self, n: int) -> int:
        return max(3, int(round(n * self.scale)))

    def min_keep(self, s: int) -> int:
        """Police a station needs after the reform: chief, instructor, back office, a lead and an officer per zone."""
        return 3 + 2 * len(self.zones_of[s])

    def _capped(self, cands: list[_Person]) -> list[_Person]:
        """Candidates from stations, at most as many per station as it can spare (youngest first)."""
        staying: dict[int, int] = {}
        for p in self.people:
            if (
                p.kind == "police"
                and p.origin == "station"
                and p.station >= 0
                and (p.post is None or p.post[0].startswith(self.plans[p.station].code))
            ):
                staying[p.station] = staying.get(p.station, 0) + 1
        out: list[_Person] = []
        used: dict[int, int] = {}
        for p in sorted(cands, key=lambda p: p.age):
            if p.origin == "station":
                if used.get(p.station, 0) >= staying.get(p.station, 0) - self.min_keep(p.station):
                    continue
                used[p.station] = used.get(p.station, 0) + 1
            out.append(p)
        return out

    # ------------------------------------------------------------------ creation
    def _person(self, kind: str, age: float, female_p: float, origin: str, at: dt.date = REF) -> _Person:
        rng = self.rng
        female = bool(rng.random() < female_p) and age < 52.0
        birth = at - dt.timedelta(days=int(round(age * 365.25)) + int(rng.integers(0, 30)))
        hire_age = rng.uniform(21.5, 24.5) if kind == "police" else rng.uniform(20.0, 40.0)
        hired = min(add_years(birth, hire_age), at - dt.timedelta(days=60))
        hired = max(hired, EARLIEST_HIRE)
        p = _Person(kind, "F" if female else "M", birth, hired, origin=origin)
        self.people.append(p)
        return p

    def create_pre_reform_police(self) -> None:
        rng = self.rng
        for s, plan in enumerate(self.plans):
            if plan.role == "old_urban":
                n, mean = self.before.old_urban
                ages = _ages(rng, n, mean, 5.5, 34.0, 59.3)
            elif plan.role == "textile":
                ages = _station_ages(rng, self.before.textile_police)
                ages[:4] = np.clip(rng.normal(28.5, 2.5, 4), 24.0, 32.0)
                ages = np.minimum(ages, 56.5)
            else:
                base = {"full_spectrum": 26, "proactive": 20, "preventive": 17}[plan.station_type]
                ages = _station_ages(rng, max(self.sz(base), self.min_keep(s) + 4))
            for a in ages:
                p = self._person("police", float(a), 0.14, "station")
                p.pre = (plan.code, "")
                p.station = s
        for code, n in PRE_SIZES.items():
            mean, sd = (35.0, 7.0) if code in ("JSS", "WJDD") else (38.0, 8.0)
            for a in np.clip(rng.normal(mean, sd, self.sz(n)), 24.0, 59.9):
                p = self._person("police", float(a), 0.14, "old")
                p.pre = (code, "")
        for code, n in HQ_SIZES.items():
            mean, sd, fem = (
                (50.0, 4.0, 0.1) if code == "HQ" else (41.0, 8.0, 0.1) if code == "JJDD" else (45.0, 7.0, 0.3)
            )
            nn = n if code == "HQ" else self.sz(n)
            for a in np.clip(rng.normal(mean, sd, nn), 28.0, 59.9):
                p = self._person("police", float(a), fem, "hq")
                p.pre = (code, "")
        # Eight women in back-office posts: three at headquarters, five at stations.
        hosts = ["ZZC", "JWBZ", "ZHZX"]
        others = [p.code for p in self.plans if p.role not in ("old_urban", "textile")]
        hosts += [others[int(i)] for i in rng.choice(len(others), FEMALE_MOVERS - 3, replace=False)]
        for a, host in zip(_ages(rng, FEMALE_MOVERS, 31.0, 3.5, 25.0, 40.0), hosts, strict=True):
            p = self._person("police", float(a), 0.0, "station" if host.startswith("S") else "hq")
            p.gender = "F"
            p.pre = (host, "back_office")
            p.mover = True
            if host.startswith("S"):
                p.station = self.org.station_codes.index(host)
        self._assign_pre_roles()

    def _assign_pre_roles(self) -> None:
        rng = self.rng
        by_unit: dict[str, list[_Person]] = {}
        for p in self.people:
            if p.pre is not None and p.kind == "police":
                by_unit.setdefault(p.pre[0], []).append(p)
        for unit, members in by_unit.items():
            free = [p for p in members if not p.mover]
            if unit == "HQ":
                free.sort(key=lambda p: -p.age)
                roles = ["chief", "political_instructor"] + ["deputy_chief"] * (len(free) - 2)
            else:
                elig = sorted((p for p in free if 38 <= p.age <= 55), key=lambda p: -p.age)
                if unit.startswith("S"):
                    lead = ["chief", "political_instructor", "deputy_chief", "deputy_chief"]
                elif unit in PRE_SIZES:
                    lead = ["chief", "political_instructor", "deputy_chief"]
                else:
                    lead = ["chief", "deputy_chief"]
                lead = lead[: max(1, min(len(lead), len(free) // 4))]
                for p, r in zip(elig, lead, strict=False):
                    p.pre = (unit, r)
                    p.leader = True
                rest = [p for p in free if not p.leader]
                if unit.startswith("S"):
                    roles = []
                    for i, _ in enumerate(rest):
                        if i == 0:
                            roles.append("back_office")
                        else:
                            u = rng.random()
                            roles.append("community" if u < 0.45 else "case_handler" if u < 0.8 else "patrol")
                    order = rng.permutation(len(rest))
                    rest = [rest[i] for i in order]
                else:
                    base = PRE_ROLE[unit]
                    roles = ["back_office" if (i == 0 and len(rest) > 12) else base for i in range(len(rest))]
                for p, r in zip(rest, roles, strict=True):
                    p.pre = (unit, r)
                continue
            for p, r in zip(free, roles, strict=True):
                p.pre = (unit, r)
                p.leader = True

    # ------------------------------------------------------------------ the reform
    def apply_reform(self) -> None:
        rng = self.rng
        police = [p for p in self.people if p.kind == "police"]
        ou_code = self.plans[self.old_urban].code
        tx_code = self.plans[self.textile].code

        def at(unit: str) -> list[_Person]:
            return [p for p in police if p.pre and p.pre[0] == unit and p.post is None]

        squads = ["ZC-D1", "ZC-D2"]
        # 1. The eight women go to the women's strike squad.
        for p in police:
            if p.mover:
                p.post = ("ZC-NZ", "investigator")
        # 2. Three of the textile town's youngest go to the investigation center; 15 stay.
        tx = sorted(
            (p for p in at(tx_code) if not p.leader and p.pre[1] != "back_office"), key=lambda p: p.age
        )
        for i, p in enumerate(tx[:TEXTILE_TO_CENTER]):
            p.post = (squads[i % 2], "investigator")
        for p in at(tx_code):
            p.post = (tx_code, "")
        # 3. Leaders of the merged units lead the two centers.
        lead_map = {
            ("XJDD", "chief"): ("ZC", "chief"),
            ("XJDD", "political_instructor"): ("ZC", "political_instructor"),
            ("JZDD", "chief"): ("ZC", "deputy_chief"),
            ("JDDD", "chief"): ("ZC", "deputy_chief"),
            ("ZADD", "chief"): ("FK", "chief"),
            ("XTDD", "political_instructor"): ("FK", "political_instructor"),
            ("XTDD", "chief"): ("FK", "deputy_chief"),
            ("SSPCS", "chief"): ("FK", "deputy_chief"),
        }
        for p in police:
            if p.post is None and p.pre in lead_map:
                p.post = lead_map[p.pre]
        # 4. Young members of the merged investigation units join the center (capped, so
        #    that most of the center still comes from the stations).
        n_zc = max(40, int(round(80 * self.scale)))
        fixed = [p for p in police if p.post and p.post[0].startswith("ZC")]
        n_draw_min = math.ceil(0.55 * n_zc) - (FEMALE_MOVERS - 3) - TEXTILE_TO_CENTER
        cap = max(0, n_zc - len(fixed) - n_draw_min)
        young = [
            p
            for p in police
            if p.post is None
            and p.pre[0] in ("XJDD", "JZDD", "JDDD", "WJDD", "JSS")
            and p.pre[1] != "back_office"
            and not p.leader
            and p.age <= (42 if p.pre[0] in ("WJDD", "JSS") else 36)
        ]
        young.sort(key=lambda p: p.age)
        for p in young[:cap]:
            p.post = (
                ("ZC-JS", "investigator")
                if p.pre[0] in ("WJDD", "JSS")
                else (squads[int(rng.integers(2))], "investigator")
            )
        fixed = [p for p in police if p.post and p.post[0].startswith("ZC")]
        # 5. Young station officers fill the rest at the target mean age.
        n_draw = n_zc - len(fixed)
        target = (INVESTIGATION_MEAN_AGE * n_zc - sum(p.age for p in fixed)) / max(n_draw, 1)
        cands = [
            p
            for p in police
            if p.post is None
            and p.origin == "station"
            and p.station not in (self.old_urban, self.textile)
            and not p.leader
            and p.pre[1] != "back_office"
            and p.age <= 38
        ]
        cands = self._capped(cands)
        for i in pick_with_mean(rng, np.array([p.age for p in cands]), n_draw, target):
            cands[i].post = (squads[int(rng.integers(2))], "investigator")
        # 6. The old urban station: six stay, the older ones move to headquarters posts.
        ou = at(ou_code)
        ou.sort(key=lambda p: (abs(p.age - 44.0) if p.age <= 52 else 99.0, p.age))
        stayers = ou[:OLD_URBAN_STAYERS]
        for p in stayers:
            p.post = (ou_code, "")
        hq_targets = ["ZZC", "JWBZ", "DCDD", "ZHZX", "FZDD"]
        for i, p in enumerate(ou[OLD_URBAN_STAYERS:]):
            p.post = ("FK-ZA", "inspector") if i % 4 == 3 else (hq_targets[i % len(hq_targets)], "staff")
        # 7. Younger officers move in, at the target mean age.
        n_after, mean_after = OLD_URBAN_AFTER
        n_in = n_after - len(stayers)
        target = (mean_after * n_after - sum(p.age for p in stayers)) / n_in
        cands = [
            p
            for p in police
            if p.post is None
            and not p.leader
            and p.age <= 42
            and (
                (p.origin == "station" and p.station not in (self.old_urban, self.textile))
                or (p.pre and p.pre[0] in ("XTDD", "ZADD", "NBDD", "XJDD"))
            )
        ]
        cands = self._capped(cands)
        for i in pick_with_mean(rng, np.array([p.age for p in cands]), n_in, target):
            cands[i].post = (ou_code, "")
        # 8. The rural stations take over traffic: two traffic police each from the brigade.
        jj = [p for p in at("JJDD") if not p.leader and p.age <= 50]
        rng.shuffle(jj)
        k = 0
        for s, plan in enumerate(self.plans):
            if plan.station_type == "preventive":
                for _ in range(2):
                    if k < len(jj):
                        jj[k].post = (plan.code, "traffic")
                        jj[k].station = s
                        k += 1
        # 9. An urban station's strike squad takes older detectives.
        other_urban = [p.code for p in self.plans if p.station_type == "full_spectrum" and p.code != ou_code]
        xj = sorted((p for p in at("XJDD") if not p.leader), key=lambda p: p.age)
        for p in xj[: self.sz(6)]:
            if other_urban:
                p.post = (f"{other_urban[0]}-DJ", "case_handler")
        # 10. Everyone else: stay, or go to the merged unit's successor.
        for p in police:
            if p.post is not None:
                continue
            unit, role = p.pre
            if unit in SUCCESSOR:
                succ, srole = SUCCESSOR[unit]
                p.post = (succ, "deputy_chief" if p.leader and not succ.startswith("FK-") else srole)
            else:
                p.post = (unit, role if not unit.startswith("S") else "")
        self._station_roles()

    def _station_roles(self) -> None:
        """Chief, political instructor, a zone lead per zone, back office, community officers."""
        rng = self.rng
        police = [p for p in self.people if p.kind == "police"]
        for s, plan in enumerate(self.plans):
            members = [p for p in police if p.post and p.post[0] == plan.code and p.post[1] == ""]
            zones = self.zones_of[s]
            members.sort(key=lambda p: (0 if p.pre == (plan.code, "chief") else 1, -p.age))
            taken: set[int] = set()

            def take(
                pred: Callable[[_Person], bool],
                n: int,
                members: list[_Person] = members,
                taken: set[int] = taken,
            ) -> list[_Person]:
                out = []
                for p in members:
                    if n > 0 and id(p) not in taken and pred(p):
                        out.append(p)
                        taken.add(id(p))
                        if len(out) == n:
                            break
                return out

            chief = take(lambda p: 33 <= p.age <= 56, 1) or take(lambda p: True, 1)
            pi = take(lambda p: 33 <= p.age <= 57, 1) or take(lambda p: True, 1)
            leads = take(lambda p: 29 <= p.age <= 57, len(zones))
            leads += take(lambda p: True, len(zones) - len(leads)) if len(leads) < len(zones) else []
            back = take(lambda p: p.pre and p.pre[1] == "back_office", 1) or take(
                lambda p: p.gender == "F", 1
            )
            squad: list[_Person] = []
            if plan.role == "old_urban":
                squad = sorted((p for p in members if id(p) not in taken), key=lambda p: p.age)[: self.sz(8)]
                taken.update(id(p) for p in squad)
            rest = [p for p in members if id(p) not in taken]
            for p in chief:
                p.post = (plan.code, "chief")
            for p in pi:
                p.post = (plan.code, "political_instructor")
            for p in back:
                p.post = (plan.code, "back_office")
            for p in squad:
                p.post = (f"{plan.code}-DJ", "case_handler")
            zone_order = list(zones)
            for i, p in enumerate(leads):
                p.post = (zone_order[i], "zone_lead")
            # The youngest officer of each zone first (no zone loses its only one to retirement).
            rest.sort(key=lambda p: p.age)
            head, tail = rest[: len(zone_order)], rest[len(zone_order) :]
            tail = [tail[i] for i in rng.permutation(len(tail))]
            for i, p in enumerate(head + tail):
                p.post = (zone_order[i % len(zone_order)], "community")
            if plan.role == "textile":
                for p in members:
                    unit, role = p.post
                    if unit.startswith(plan.code + "-Z"):
                        p.interim = (plan.code, "deputy_chief" if role == "zone_lead" else role)
                        p.post_from = TEXTILE_ZONES_FROM

    def recruits(self) -> None:
        """Two intakes after the reform, posted to stations other than the two fact-bearing ones."""
        rng = self.rng
        hosts = [s for s, p in enumerate(self.plans) if p.role not in ("old_urban", "textile")]
        for when in (dt.date(2017, 8, 1), dt.date(2018, 8, 1)):
            for _ in range(self.sz(12)):
                age = rng.uniform(21.8, 24.5)
                p = self._person("police", 0.0, 0.2, "recruit")
                p.birth = when - dt.timedelta(days=int(age * 365.25))
                p.gender = "F" if rng.random() < 0.2 else "M"
                p.hired = when
                s = hosts[int(rng.integers(len(hosts)))]
                z = self.zones_of[s]
                p.post = (z[int(rng.integers(len(z)))], "community")
                p.post_from = when

    def auxiliaries(self) -> None:
        rng = self.rng
        layout, org = self.layout, self.org
        # Grids each station's auxiliaries take, busiest first, spread over the zones.
        grid_queue: dict[int, list[str]] = {}
        for s in range(len(self.plans)):
            by_zone = []
            for z in np.flatnonzero(layout.zone_station == s):
                g = np.flatnonzero(layout.grid_zone == z)
                load = org.grid_residents[g] + org.grid_floating[g]
                by_zone.append([org.grid_codes[i] for i in g[np.argsort(-load, kind="stable")]])
            q = []
            for i in range(max(len(b) for b in by_zone)):
                q.extend(b[i] for b in by_zone if i < len(b))
            grid_queue[s] = q
        next_grid = dict.fromkeys(grid_queue, 0)

        def a_grid(s: int) -> str:
            q = grid_queue[s]
            code = q[next_grid[s] % len(q)]
            next_grid[s] += 1
            return code

        n_grids = np.bincount(layout.grid_station, minlength=len(self.plans))
        pre_hosts: list[tuple[str, str, int]] = []
        for s, plan in enumerate(self.plans):
            n = max(len(self.zones_of[s]) + 2, int(round(n_grids[s] * 0.3)))
            pre_hosts += [(plan.code, "patrol", s)] * n
        pre_hosts += [("XTDD", "patrol", -1)] * self.sz(30)
        pre_hosts += [("JJDD", "traffic", -1)] * self.sz(35)
        pre_hosts += [("ZHZX", "staff", -1)] * self.sz(12)
        first_at_station: set[int] = set()
        for unit, role, s in pre_hosts:
            hired = dt.date(2008, 1, 1) + dt.timedelta(
                days=int(rng.integers(0, (dt.date(2017, 3, 1) - dt.date(2008, 1, 1)).days))
            )
            p = self._aux(hired)
            p.pre = (unit, role)
            p.station = s
            if s >= 0:
                if s not in first_at_station:
                    first_at_station.add(s)
                    p.post = (unit, "staff")
                else:
                    p.post = (a_grid(s), "grid_auxiliary")
                if self.plans[s].role == "textile" and p.post[1] == "grid_auxiliary":
                    p.interim = (unit, "patrol")
                    p.post_from = TEXTILE_ZONES_FROM
            else:
                p.post = {
                    "XTDD": ("FK-XT", "patrol"),
                    "JJDD": ("JJDD", "traffic"),
                    "ZHZX": ("ZHZX", "staff"),
                }[unit]
        # New auxiliaries after the reform: most become grid auxiliaries.
        span = (dt.date(2018, 10, 31) - REFORM_DATE).days
        new: list[tuple[str, str]] = [("FK-XT", "patrol")] * self.sz(20) + [("ZC", "staff")] * self.sz(12)
        weights = n_grids / n_grids.sum()
        for s in rng.choice(len(self.plans), self.sz(140), p=weights):
            new.append((a_grid(int(s)), "grid_auxiliary"))
        for unit, role in new:
            hired = REFORM_DATE + dt.timedelta(days=int(rng.integers(0, span)))
            p = self._aux(hired)
            p.post = (unit, role)
            p.post_from = hired
            if self.plans[self.textile].code in unit and hired < TEXTILE_ZONES_FROM:
                p.post_from = TEXTILE_ZONES_FROM
                p.interim = (self.plans[self.textile].code, "patrol")

    def _aux(self, hired: dt.date) -> _Person:
        rng = self.rng
        age_at_hire = float(np.clip(rng.normal(29.0, 6.5), 19.5, 45.0))
        birth = hired - dt.timedelta(days=int(age_at_hire * 365.25) + int(rng.integers(0, 200)))
        p = _Person("auxiliary", "F" if rng.random() < 0.28 else "M", birth, hired, origin="aux")
        self.people.append(p)
        return p

    # ------------------------------------------------------------------ histories
    def histories(self) -> None:
        rng = self.rng
        station_codes = self.org.station_codes
        for p in self.people:
            posts: list[tuple[str, str, dt.date, dt.date | None]] = []
            if p.pre is not None:
                lo = max(p.hired, dt.date(2012, 1, 1))
                hi = dt.date(2016, 12, 31)
                if lo >= hi:
                    start = p.hired
                else:
                    start = lo + dt.timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
                if p.hired < start:
                    prev_unit = station_codes[int(rng.integers(len(station_codes)))]
                    prev_role = "community" if rng.random() < 0.6 else "patrol"
                    if p.kind == "auxiliary":
                        prev_role = "patrol" if p.pre[1] != "patrol" else "staff"
                    posts.append((prev_unit, prev_role, p.hired, start - dt.timedelta(days=1)))
                posts.append((p.pre[0], p.pre[1], start, PRE_REFORM_TO))
            if p.interim is not None:
                begin = max(REFORM_DATE, p.hired)
                if begin < p.post_from:
                    posts.append((p.interim[0], p.interim[1], begin, p.post_from - dt.timedelta(days=1)))
            if p.post is not None:
                posts.append((p.post[0], p.post[1], max(p.post_from, p.hired), None))
            p.postings = posts
        # Retirement (60 for men, 55 for women) and auxiliaries leaving.
        for p in self.people:
            retire_age = 60 if p.gender == "M" else 55
            retire = _birthday(p.birth, retire_age)
            end_at: dt.date | None = None
            if p.kind == "police" and retire <= END:
                end_at, p.status = retire, "retired"
            elif p.kind == "auxiliary" and p.pre is None and rng.random() < 0.08:
                leave = p.hired + dt.timedelta(days=int(rng.integers(200, 1500)))
                if leave <= END:
                    end_at, p.status = leave, "left"
            if end_at is not None:
                kept = []
                for unit, role, start, end in p.postings:
                    if start >= end_at:
                        continue
                    if end is None or end >= end_at:
                        end = end_at - dt.timedelta(days=1)
                    kept.append((unit, role, start, end))
                p.postings = kept
            elif rng.random() < 0.02:
                p.status = "leave"


def _birthday(birth: dt.date, years: int) -> dt.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + years, day=28)


# --------------------------------------------------------------------------- skills and ranks

_RANK_STEPS = (
    (1, "constable_2"),
    (3, "constable_1"),
    (6, "sergeant_3"),
    (9, "sergeant_2"),
    (13, "sergeant_1"),
    (19, "inspector_3"),
    (26, "inspector_2"),
    (99, "inspector_1"),
)
_RANK_ORDER = [r for _, r in _RANK_STEPS] + ["superintendent_3"]


def _rank(p: _Person, asof: dt.date) -> str:
    if p.kind != "police":
        return "none"
    y = years_between(p.hired, asof)
    rank = next(r for limit, r in _RANK_STEPS if y < limit)
    roles = {role for _, role, _, _ in p.postings}
    if p.postings and p.postings[-1][0] == "HQ" and p.postings[-1][1] == "chief":
        return "superintendent_3"
    if roles & {"chief", "political_instructor"}:
        rank = max(rank, "inspector_2", key=_RANK_ORDER.index)
    elif roles & {"deputy_chief", "zone_lead"}:
        rank = max(rank, "inspector_3", key=_RANK_ORDER.index)
    return rank


_SKILLS_BY_ROLE: dict[str, tuple[tuple[str, int], ...]] = {
    "investigator": (("investigation", 4), ("video", 3), ("cyber", 2)),
    "case_handler": (("investigation", 3), ("public_order", 3), ("legal", 2)),
    "community": (("community_work", 4), ("floating_population", 3), ("public_order", 2)),
    "zone_lead": (("community_work", 4), ("public_order", 4), ("floating_population", 3)),
    "chief": (("public_order", 4), ("community_work", 3), ("investigation", 3), ("admin", 3)),
    "political_instructor": (("admin", 4), ("community_work", 3), ("public_order", 3)),
    "deputy_chief": (("public_order", 4), ("investigation", 3), ("admin", 3)),
    "inspector": (
        ("hazardous_chemicals", 4),
        ("fire_safety", 3),
        ("public_order", 3),
        ("floating_population", 3),
    ),
    "patrol": (("patrol", 4), ("traffic", 2)),
    "traffic": (("traffic", 4), ("patrol", 2)),
    "back_office": (("admin", 4),),
    "staff": (("admin", 3),),
    "grid_auxiliary": (("community_work", 2), ("floating_population", 2)),
}


def _skills(rng: np.random.Generator, p: _Person, plans: list[StationPlan]) -> tuple[tuple[str, int], ...]:
    if not p.postings:
        return ()
    unit, role = p.postings[-1][0], p.postings[-1][1]
    base = dict(_SKILLS_BY_ROLE.get(role, (("admin", 2),)))
    if unit == "ZC-JS":
        base = {"forensics": 4, "video": 4, "cyber": 3, "investigation": 2}
    elif unit == "FK-SS":
        base = {"water_policing": 4, "patrol": 3}
    elif unit == "FZDD":
        base = {"legal": 4, "admin": 3}
    elif unit == "ZHZX":
        base = {"video": 3, "admin": 3}
    elif unit.startswith("FK-ZA"):
        # One specialist, many skills: the inspector's own specialism plus the others.
        lead = ("hazardous_chemicals", "fire_safety", "public_order", "floating_population")[
            int(rng.integers(4))
        ]
        base = {k: 3 for k in ("hazardous_chemicals", "fire_safety", "public_order", "floating_population")}
        base[lead] = 5
    if p.mover:
        base = {"investigation": 3, "cyber": 3, "admin": 4}
    station = next((i for i, pl in enumerate(plans) if unit.startswith(pl.code)), -1)
    if station >= 0 and plans[station].station_type == "preventive" and p.kind == "police":
        base.setdefault("traffic", 2)
    if station >= 0 and plans[station].role == "textile":
        base["floating_population"] = max(base.get("floating_population", 0), 4)
    years = years_between(p.hired, END)
    shift = (1 if years > 12 else 0) - (1 if years < 3 else 0) - (1 if p.kind == "auxiliary" else 0)
    out = []
    for code, lvl in base.items():
        lv = int(np.clip(lvl + shift + rng.integers(-1, 2) * (rng.random() < 0.3), 1, 5))
        out.append((code, lv))
    out.sort(key=lambda t: (-t[1], t[0]))
    return tuple(out)


# --------------------------------------------------------------------------- assembly


def build_people(
    rng: np.random.Generator,
    fake: Faker,
    plans: list[StationPlan],
    org: OrgTree,
    layout: Layout,
    frame: Frame,
    region_code: str,
    index: int,
    before: BeforeReform = BeforeReform(),
) -> tuple[list[OfficerSpec], list[PostingSpec]]:
    scale = float(np.clip(org.grid_residents.sum() / 630_000, 0.6, 1.4))
    wf = _Workforce(rng, plans, org, layout, scale, before)
    wf.create_pre_reform_police()
    wf.apply_reform()
    wf.recruits()
    wf.auxiliaries()
    wf.histories()

    people = sorted(wf.people, key=lambda p: (p.kind != "police", p.hired, p.birth))
    prefix = f"{10 + index % 90:02d}"
    places = _unit_places(plans, org, layout)
    county = layout.county
    tel = phones(rng, len(people))
    seq_by_birth: dict[dt.date, int] = {}
    officers: list[OfficerSpec] = []
    postings: list[PostingSpec] = []
    n_police = n_aux = 0
    for p, phone in zip(people, tel, strict=True):
        if p.kind == "police":
            n_police += 1
            number = f"{prefix}{n_police:04d}"
        else:
            n_aux += 1
            number = f"F{prefix}{n_aux:04d}"
        # zh_CN has one name format for both sexes; build it from the gendered given-name lists.
        name = fake.last_name() + (fake.first_name_female() if p.gender == "F" else fake.first_name_male())
        seq = seq_by_birth.get(p.birth, 0)
        seq_by_birth[p.birth] = seq + 1
        id_number = make_id_number(region_code, p.birth, seq, p.gender == "F")
        last_unit = p.postings[-1][0] if p.postings else "HQ"
        home = _home(rng, places.get(last_unit, places["HQ"]), county, 0.5 if "-G" in last_unit else 2.5)
        officers.append(
            OfficerSpec(
                police_number=number,
                name=name,
                kind=p.kind,
                gender=p.gender,
                birth_date=p.birth,
                id_number=id_number,
                rank=_rank(p, END if p.status != "retired" else p.postings[-1][3] or END),
                phone=phone,
                hired=p.hired,
                status=p.status,
                home=frame.point(home),
                skills=_skills(rng, p, plans),
            )
        )
        postings.extend(PostingSpec(number, u, r, s, e) for u, r, s, e in p.postings)
    return officers, postings


def _unit_places(plans: list[StationPlan], org: OrgTree, layout: Layout) -> dict[str, np.ndarray]:
    seat = layout.station_base[0]
    places: dict[str, np.ndarray] = {"HQ": seat}
    for s, plan in enumerate(plans):
        places[plan.code] = layout.station_base[s]
        places[f"{plan.code}-DJ"] = layout.station_base[s]
    for z, code in enumerate(org.zone_codes):
        places[code] = layout.zone_base[z]
    for g, code in enumerate(org.grid_codes):
        places[code] = layout.grid_center[g]
    return places


def _home(rng: np.random.Generator, center: np.ndarray, county: shapely.Geometry, sd: float) -> np.ndarray:
    for _ in range(20):
        p = center + rng.normal(0, sd, 2)
        if shapely.contains_xy(county, p[0], p[1]):
            return p
    return np.asarray(center, dtype=float)
