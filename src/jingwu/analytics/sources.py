"""The source query of an indicator: the queryset(s) a dashboard tile counted, readable and as SQL.

A dashboard keeps, for each indicator it computes, the querysets it actually counted
(``Source``) and how each was measured (a count, a sum, a count of distinct values, the
due table's overdue count). ``readable`` writes a queryset's filters the way a person
reads them (``incidents.Incident WHERE station = 城关派出所 AND received_at ∈ [2018-01-01,
2018-02-01)``), unit ids as their names and instants as bureau local time; ``sql`` gives
the SQL text the database runs. Running a source (``Source.run``) gives back the figure
the tile was computed from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Sum
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import WhereNode
from django.utils.translation import gettext as _

# how a source is measured: its rows counted, a field summed, distinct values of a field
COUNT, SUM, DISTINCT, OVERDUE = "count", "sum", "distinct", "overdue"

OPS = {
    "exact": "=",
    "iexact": "=",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "∈",
    "startswith": "LIKE",
    "istartswith": "LIKE",
    "contains": "LIKE",
    "icontains": "LIKE",
}


@dataclass
class Source:
    """One queryset behind a tile: ``name`` is its letter in the indicator's formula (A, B)."""

    name: str
    qs: object  # a QuerySet
    measure: str = COUNT
    field: str = ""  # the field summed or counted distinct
    tz: object = None  # the bureau's time zone, to write instants in local time

    def run(self):
        """The figure of the source, from the database."""
        qs = self.qs.order_by()
        if self.measure == COUNT:
            return qs.count()
        if self.measure == SUM:
            return qs.aggregate(v=Sum(self.field))["v"] or 0
        if self.measure == DISTINCT:
            return qs.aggregate(v=Count(self.field, distinct=True))["v"]
        if self.measure == OVERDUE:
            from jingwu.inspections.selectors import due_counts

            return due_counts(qs)["overdue"]
        raise ValueError(self.measure)

    @property
    def how(self) -> str:
        if self.measure == SUM:
            return f"SUM({self.field})"
        if self.measure == DISTINCT:
            return f"COUNT(DISTINCT {self.field})"
        if self.measure == OVERDUE:
            return _("overdue on the due table")
        return "COUNT(*)"

    def readable(self, names: dict | None = None) -> str:
        model = self.qs.model
        where = _node(self.qs.query.where, model, names or {}, self.tz, top=True)
        head = f"{self.name} = {self.how} {model._meta.label}"
        return f"{head} WHERE {where}" if where else head

    def sql(self) -> str:
        """The SQL text of the rows (parameters written in, as the database's client would)."""
        qs = self.qs.order_by()
        sql, params = qs.query.sql_with_params()
        conn = connections[qs.db]
        try:
            with conn.cursor() as cur:
                if conn.vendor == "sqlite":
                    # the parameters quoted by SQLite itself: the text runs as it is
                    return conn.ops.last_executed_query(cur, sql, params)
                mogrify = getattr(cur.cursor, "mogrify", None)
                if mogrify is not None:
                    text = mogrify(sql, params)
                    return text.decode() if isinstance(text, bytes) else text
        except Exception:
            pass
        return str(qs.query)


NAMED = ("org.Unit", "core.Bureau")  # ids written as names


def unit_names(sources) -> dict[tuple[str, int], str]:
    """The names of the units and bureaus the sources filter by (a query per model at most)."""
    from django.apps import apps

    ids: dict[str, set[int]] = {}
    for s in sources:
        _named_ids(s.qs.query.where, ids)
    out: dict[tuple[str, int], str] = {}
    for label, pks in ids.items():
        for pk, name in apps.get_model(label).objects.filter(pk__in=pks).values_list("pk", "name_zh"):
            out[(label, pk)] = name
    return out


def _named(lhs) -> str:
    target = getattr(lhs, "target", None)
    remote = getattr(target, "related_model", None)
    label = remote._meta.label if remote is not None else ""
    return label if label in NAMED else ""


def _named_ids(node, out: dict) -> None:
    if isinstance(node, WhereNode):
        for c in node.children:
            _named_ids(c, out)
    elif isinstance(node, Lookup) and _named(node.lhs):
        values = node.rhs if isinstance(node.rhs, (list, tuple, set)) else [node.rhs]
        out.setdefault(_named(node.lhs), set()).update(v for v in values if isinstance(v, int))


def _lhs(lhs, model) -> str:
    if isinstance(lhs, Col):
        target = lhs.target
        name = target.name
        if target.model is not model and not issubclass(model, target.model):
            return f"{target.model._meta.model_name}.{name}"
        return name
    fn = type(lhs).__name__
    inner = ", ".join(_lhs(e, model) for e in getattr(lhs, "get_source_expressions", list)())
    tz = getattr(lhs, "tzinfo", None)
    return f"{fn}({inner}{', ' + str(tz) if tz is not None else ''})"


def _value(v, lhs, names: dict, tz) -> str:
    if isinstance(v, dt.datetime):
        local = v.astimezone(tz) if tz is not None and v.tzinfo is not None else v
        return local.strftime("%Y-%m-%d") if local.time() == dt.time(0) else local.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool) and (_named(lhs), v) in names:
        return str(names[(_named(lhs), v)])
    if isinstance(v, (list, tuple, set)):
        vals = sorted(v, key=str) if isinstance(v, set) else list(v)
        shown = [_value(x, lhs, names, tz) for x in vals[:8]]
        more = f", … ({len(vals)})" if len(vals) > 8 else ""
        return "{" + ", ".join(shown) + more + "}"
    if hasattr(v, "query") or type(v).__name__ == "Query":
        return "(…)"
    return str(v)


def _lookup(node: Lookup, model, names, tz) -> str:
    lhs = _lhs(node.lhs, model)
    name = node.lookup_name
    if name == "isnull":
        return f"{lhs} IS NULL" if node.rhs else f"{lhs} IS NOT NULL"
    op = OPS.get(name, name)
    value = _value(node.rhs, node.lhs, names, tz)
    if name in ("startswith", "istartswith"):
        value = f"'{value}%'"
    elif name in ("contains", "icontains"):
        value = f"'%{value}%'"
    return f"{lhs} {op} {value}"


def _node(node, model, names, tz, top: bool = False) -> str:
    if isinstance(node, Lookup):
        return _lookup(node, model, names, tz)
    if not isinstance(node, WhereNode):
        return type(node).__name__
    parts: list[str] = []
    done: set[int] = set()
    children = list(node.children)
    for i, c in enumerate(children):
        if i in done:
            continue
        # a half-open range on one field (≥ a and < b) written as ∈ [a, b)
        if node.connector == "AND" and isinstance(c, Lookup) and c.lookup_name == "gte":
            for j in range(i + 1, len(children)):
                o = children[j]
                if (
                    j not in done
                    and isinstance(o, Lookup)
                    and o.lookup_name in ("lt", "lte")
                    and _lhs(o.lhs, model) == _lhs(c.lhs, model)
                ):
                    close = ")" if o.lookup_name == "lt" else "]"
                    parts.append(
                        f"{_lhs(c.lhs, model)} ∈ [{_value(c.rhs, c.lhs, names, tz)}, "
                        f"{_value(o.rhs, o.lhs, names, tz)}{close}"
                    )
                    done.update({i, j})
                    break
            if i in done:
                continue
        text = _node(c, model, names, tz)
        if isinstance(c, WhereNode) and len(c.children) > 1 and not c.negated:
            text = f"({text})"
        parts.append(text)
        done.add(i)
    # a condition said twice (the unit's rows, then the user's scope) is written once
    text = f" {node.connector} ".join(dict.fromkeys(p for p in parts if p))
    if node.negated:
        return f"NOT ({text})"
    return text
