"""Query plans of whatever SQL a block of code runs: which statements scan a bureau's rows.

``explain_all(tables)`` wraps the database connection: every SELECT, INSERT, UPDATE or
DELETE that names one of ``tables`` is EXPLAINed on the spot (same connection, same
transaction, same parameters, so scratch tables that live for one job are there), and
each access to one of those tables that is not an index lookup narrower than the
bureau is recorded as a finding:

- SQLite (``EXPLAIN QUERY PLAN``): ``SCAN t`` (with or without an index), and
  ``SEARCH t USING INDEX ... (bureau_id=?)``, which walks every row of the bureau;
- PostgreSQL (``EXPLAIN (FORMAT JSON)`` with ``enable_seqscan`` off, so that the
  planner takes an index whenever one can serve): a ``Seq Scan`` on the table, an
  index scan without an index condition, and an index scan whose condition names no
  column but ``bureau_id`` where it runs once per outer row (see ``_pg_scans``).

``analyze(table)`` gives PostgreSQL's planner the statistics autovacuum would have
gathered on a bureau that holds years of rows (SQLite is left without, as Django
leaves it).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

DML = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
KEYWORDS = {
    "where",
    "on",
    "join",
    "left",
    "inner",
    "outer",
    "cross",
    "group",
    "order",
    "limit",
    "set",
    "values",
    "select",
    "as",
    "using",
    "union",
    "natural",
}


@dataclass
class Findings:
    statements: list[str] = field(default_factory=list)  # every statement explained
    scans: list[tuple[str, str]] = field(default_factory=list)  # (statement, plan line)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def report(self) -> str:
        out = [f"{len(self.scans)} scan(s) of a bureau's rows:"]
        for sql, line in self.scans:
            out.append(f"  {line}\n    in: {sql[:400]}")
        for sql, err in self.errors:
            out.append(f"  EXPLAIN failed: {err}\n    in: {sql[:400]}")
        return "\n".join(out)


def _names(sql: str, table: str) -> set[str]:
    """The names a statement gives ``table``: its own, and any alias."""
    names = {table}
    pattern = rf'"?{re.escape(table)}"?\s+(?:AS\s+)?"?([A-Za-z_]\w*)"?'
    for m in re.finditer(pattern, sql, re.IGNORECASE):
        if m.group(1).lower() not in KEYWORDS:
            names.add(m.group(1))
    return names


def _sqlite_indexes(cur, tables) -> dict[str, str]:
    cur.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s)"
        % ", ".join("?" * len(tables)),
        list(tables),
    )
    return dict(cur.fetchall())


def _sqlite_scans(rows, sql: str, tables) -> list[str]:
    names = {n: t for t in tables for n in _names(sql, t)}
    out = []
    for row in rows:
        detail = row[-1]
        m = re.match(r"(SCAN|SEARCH) (\S+)(.*)$", detail)
        if not m or m.group(2) not in names:
            continue
        if m.group(1) == "SCAN":
            out.append(detail)
            continue
        cond = re.search(r"\(([^()]*)\)\s*$", m.group(3))
        columns = {re.split(r"[=<>]", c.strip())[0] for c in cond.group(1).split(" AND ")} if cond else set()
        if not columns - {"bureau_id"}:
            out.append(detail)
    return out


def _pg_index_tables(cur, tables) -> dict[str, str]:
    cur.execute("SELECT indexname, tablename FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
    return dict(cur.fetchall())


def _pg_scans(plan, tables, index_table: dict[str, str]) -> list[str]:
    """Seq scans of ``tables``, and index scans that read a whole bureau once per outer row.

    A bureau-wide index scan that runs once (the build side of a hash join or of a
    hashed subplan, a merge join's input) reads the bureau once per statement, which
    the planner may rightly prefer to thousands of probes; run on the inner side of a
    nested loop or in a per-row subplan it reads the bureau once per staged row.
    """
    out = []

    def walk(node, repeated: bool):
        table = node.get("Relation Name") or index_table.get(node.get("Index Name", ""))
        kind = node.get("Node Type", "")
        if table in tables:
            if kind == "Seq Scan":
                out.append(f"Seq Scan on {table}")
            elif kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
                cond = node.get("Index Cond") or ""
                own = re.sub(r"'[^']*'", "", cond)  # drop literals
                own = re.sub(r"\b\w+\.\w+\b", "", own)  # and the outer side (s.number)
                columns = {c for c in re.findall(r"[a-z_]\w*", own) if c != "text"}
                if not cond or (repeated and not columns - {"bureau_id"}):
                    where = "per outer row" if repeated else "once"
                    out.append(f"{kind} using {node.get('Index Name')} on {table} ({cond or 'all'}, {where})")
        for child in node.get("Plans", []):
            rel = child.get("Parent Relationship")
            again = repeated
            if kind == "Nested Loop" and rel == "Inner":
                again = True
            elif rel == "SubPlan" and not child.get("Subplan Name", "").startswith("hashed"):
                again = True
            walk(child, again)

    walk(plan[0]["Plan"], False)
    return out


def analyze(*tables: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for t in tables:
                cur.execute(f"ANALYZE {connection.ops.quote_name(t)}")


@contextmanager
def explain_all(*tables: str):
    """Record the scans of ``tables`` by every statement run inside the block."""
    findings = Findings()
    busy = False
    indexes: dict[str, str] | None = None

    def wrapper(execute, sql, params, many, context):
        nonlocal busy, indexes
        if busy or many or not DML.match(sql) or not any(t in sql for t in tables):
            return execute(sql, params, many, context)
        busy = True
        raw = context["cursor"].cursor
        try:
            findings.statements.append(sql)
            if connection.vendor == "postgresql":
                if indexes is None:
                    indexes = _pg_index_tables(raw, tables)
                raw.execute("SET enable_seqscan = off")
                try:
                    raw.execute("EXPLAIN (FORMAT JSON) " + sql, params)
                    plan = raw.fetchone()[0]
                finally:
                    raw.execute("RESET enable_seqscan")
                plan = json.loads(plan) if isinstance(plan, str) else plan
                lines = _pg_scans(plan, tables, indexes)
            else:
                raw.execute("EXPLAIN QUERY PLAN " + sql, params)
                lines = _sqlite_scans(raw.fetchall(), sql, tables)
            findings.scans.extend((sql, line) for line in lines)
        except Exception as exc:  # a statement we cannot explain is a finding too
            findings.errors.append((sql, repr(exc)))
        finally:
            busy = False
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield findings
