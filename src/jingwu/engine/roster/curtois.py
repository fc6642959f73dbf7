"""The Curtois & Qu shift-scheduling benchmark format, read into the general roster model.

The benchmark (T. Curtois and R. Qu, "Computational results on new staff scheduling
benchmark instances", technical report, ASAP group, University of Nottingham, 2014;
instances at schedulingbenchmarks.org) writes each instance as a text file of sections
``SECTION_HORIZON``, ``SECTION_SHIFTS``, ``SECTION_STAFF``, ``SECTION_DAYS_OFF``,
``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS`` and ``SECTION_COVER``.

:func:`to_problem` is a one-to-one adapter into :class:`RosterProblem`: every rule of the
benchmark is a rule the general model already has (one zone ``"all"``, no start times,
each shift's forbidden successors, max shifts per type, min/max total minutes, max/min
consecutive shifts, min consecutive days off, max weekends, days off as leave, on/off
requests as weighted requests, cover as plain needs with their under/over weights), and
the general model's objective with the fairness weights at zero *is* the benchmark's
objective. :func:`penalty` recomputes that objective from assignments independently of
the solver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jingwu.engine.roster.model import Assignment, Leave, Need, Request, RosterProblem, ShiftType, Staff

ZONE = "all"


@dataclass(frozen=True)
class CurtoisInstance:
    horizon: int
    shifts: tuple[tuple[str, int, tuple[str, ...]], ...]
    staff: tuple[tuple[str, dict[str, int], int, int, int, int, int, int], ...]
    days_off: tuple[tuple[str, tuple[int, ...]], ...]
    on_requests: tuple[tuple[str, int, str, int], ...]
    off_requests: tuple[tuple[str, int, str, int], ...]
    cover: tuple[tuple[int, str, int, int, int], ...]


def parse(text: str) -> CurtoisInstance:
    """Parse an instance file's text; raises ValueError naming the line on bad input."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current = None
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections.setdefault(current, [])
            continue
        if current is None:
            raise ValueError(f"line {no}: data before the first SECTION_ header")
        sections[current].append((no, line))
    if "SECTION_HORIZON" not in sections:
        raise ValueError("not a Curtois & Qu instance: no SECTION_HORIZON")

    def rows(name: str, width: int | None = None) -> list[tuple[int, list[str]]]:
        out = []
        for no, line in sections.get(name, []):
            parts = [p.strip() for p in line.split(",")]
            if width is not None and len(parts) < width:
                raise ValueError(f"line {no}: {name} needs {width} fields, got {len(parts)}")
            out.append((no, parts))
        return out

    try:
        horizon = int(sections["SECTION_HORIZON"][0][1])
        shifts = []
        for _no, p in rows("SECTION_SHIFTS", 2):
            nxt = tuple(x for x in (p[2].split("|") if len(p) > 2 else []) if x)
            shifts.append((p[0], int(p[1]), nxt))
        staff = []
        for _no, p in rows("SECTION_STAFF", 8):
            caps = {}
            for item in p[1].split("|"):
                if item:
                    code, cap = item.split("=")
                    caps[code] = int(cap)
            staff.append((p[0], caps, *(int(v) for v in p[2:8])))
        days_off = []
        for _no, p in rows("SECTION_DAYS_OFF", 1):
            days_off.append((p[0], tuple(int(v) for v in p[1:] if v)))
        on = [(p[0], int(p[1]), p[2], int(p[3])) for _no, p in rows("SECTION_SHIFT_ON_REQUESTS", 4)]
        off = [(p[0], int(p[1]), p[2], int(p[3])) for _no, p in rows("SECTION_SHIFT_OFF_REQUESTS", 4)]
        cover = [(int(p[0]), p[1], int(p[2]), int(p[3]), int(p[4])) for _no, p in rows("SECTION_COVER", 5)]
    except (IndexError, KeyError) as exc:
        raise ValueError(f"incomplete instance: {exc}") from exc
    return CurtoisInstance(
        horizon, tuple(shifts), tuple(staff), tuple(days_off), tuple(on), tuple(off), tuple(cover)
    )


def read(path: str | Path) -> CurtoisInstance:
    return parse(Path(path).read_text(encoding="utf-8"))


def to_problem(inst: CurtoisInstance) -> RosterProblem:
    """The benchmark instance as a general :class:`RosterProblem` (see the module docstring)."""
    shifts = tuple(
        ShiftType(code, minutes, forbidden_next=frozenset(nxt)) for code, minutes, nxt in inst.shifts
    )
    staff = tuple(
        Staff(
            id=sid,
            zones=(ZONE,),
            max_shifts=caps,
            max_minutes=max_min,
            min_minutes=min_min,
            max_consecutive=max_c,
            min_consecutive=min_c,
            min_consecutive_off=min_off,
            max_weekends=max_wk,
        )
        for sid, caps, max_min, min_min, max_c, min_c, min_off, max_wk in inst.staff
    )
    leave = tuple(Leave(sid, d) for sid, days in inst.days_off for d in days)
    requests = tuple(Request(s, d, sh, w, on=True) for s, d, sh, w in inst.on_requests) + tuple(
        Request(s, d, sh, w, on=False) for s, d, sh, w in inst.off_requests
    )
    needs = tuple(
        Need(day=d, shift=sh, zone=ZONE, count=req, under_weight=wu, over_weight=wo)
        for d, sh, req, wu, wo in inst.cover
    )
    return RosterProblem(
        horizon=inst.horizon, shifts=shifts, staff=staff, needs=needs, leave=leave, requests=requests
    )


def penalty(inst: CurtoisInstance, assignments: list[Assignment] | tuple[Assignment, ...]) -> int:
    """The benchmark objective of ``assignments``: cover under/over weights plus refused
    on-requests plus granted off-requests (computed here without the solver)."""
    on = {(a.staff, a.day, a.shift) for a in assignments}
    count: dict[tuple[int, str], int] = {}
    for a in assignments:
        count[a.day, a.shift] = count.get((a.day, a.shift), 0) + 1
    total = 0
    for s, d, sh, w in inst.on_requests:
        if (s, d, sh) not in on:
            total += w
    for s, d, sh, w in inst.off_requests:
        if (s, d, sh) in on:
            total += w
    for d, sh, req, wu, wo in inst.cover:
        have = count.get((d, sh), 0)
        total += wu * max(0, req - have) + wo * max(0, have - req)
    return total
