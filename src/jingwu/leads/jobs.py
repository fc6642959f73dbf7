"""The leads extraction as a job: read every incident, case and petition of the bureau in
chunks, write the mentions of each chunk with the cursor in one transaction (a run that
is stopped resumes after the last committed chunk, and a chunk read again replaces its own
mentions: the run is idempotent), then find the clusters in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jingwu.engine import leads as engine

from .models import SOURCES, Cluster, Entity, ExtractionRun, Mention

CHUNK = 2000


def _texts(run: ExtractionRun, source: str, after: int, hq_id: int):
    """(pk, number, unit id, date, criminal, text) of the next chunk of ``source`` after ``after``."""
    tz = timezone.get_current_timezone()

    def day(value: dt.datetime) -> dt.date:
        return timezone.localtime(value, tz).date()

    if source == "incident":
        from jingwu.incidents.models import Incident

        rows = (
            Incident.objects.filter(bureau_id=run.bureau_id, pk__gt=after)
            .order_by("pk")
            .values_list(
                "pk",
                "number",
                "grid_id",
                "station_id",
                "received_at",
                "category__criminal",
                "address",
                "description",
            )[:CHUNK]
        )
        return [
            (pk, num, grid or st or hq_id, day(at), crim, f"{addr}\n{desc}")
            for pk, num, grid, st, at, crim, addr, desc in rows
        ]
    if source == "case":
        from jingwu.cases.models import Case

        rows = (
            Case.objects.filter(bureau_id=run.bureau_id, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "number", "owning_unit_id", "opened_at", "kind", "title", "summary")[:CHUNK]
        )
        return [(pk, num, u, day(at), kind == "criminal", f"{t}\n{s}") for pk, num, u, at, kind, t, s in rows]
    from jingwu.cases.models import Petition

    rows = (
        Petition.objects.filter(bureau_id=run.bureau_id, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "number", "unit_id", "received_at", "subject", "content")[:CHUNK]
    )
    return [(pk, num, u, day(at), True, f"{t}\n{c}") for pk, num, u, at, t, c in rows]


def _totals(run: ExtractionRun) -> dict[str, int]:
    from jingwu.cases.models import Case, Petition
    from jingwu.incidents.models import Incident

    models = {"incident": Incident, "case": Case, "petition": Petition}
    return {s: models[s].objects.filter(bureau_id=run.bureau_id).count() for s in SOURCES}


def address_book(bureau_id: int) -> engine.AddressBook:
    """The bureau's known addresses: its key premises."""
    from jingwu.places.models import Premises

    return engine.AddressBook(
        Premises.objects.filter(bureau_id=bureau_id).exclude(address="").values_list("address", flat=True)
    )


def _write_chunk(run: ExtractionRun, source: str, rows, book: engine.AddressBook) -> int:
    """Replace the chunk's mentions and move the cursor, in one transaction; the mentions written."""
    found = []
    for pk, num, unit_id, on, crim, text in rows:
        for e in engine.extract(text, address_book=book):
            found.append((pk, num, unit_id, on, crim, e))
    with transaction.atomic():
        ids = [r[0] for r in rows]
        Mention.objects.filter(bureau_id=run.bureau_id, source=source, record_id__in=ids).delete()
        keys = {(e.kind, e.value[:120]): e.detail for *_, e in found}
        Entity.objects.bulk_create(
            [Entity(bureau_id=run.bureau_id, kind=k, value=v, detail=d) for (k, v), d in keys.items()],
            ignore_conflicts=True,
            batch_size=500,
        )
        entity_ids: dict[tuple[str, str], int] = {}
        by_kind: dict[str, list[str]] = {}
        for kind, value in keys:
            by_kind.setdefault(kind, []).append(value)
        for kind, values in by_kind.items():  # the (bureau, kind, value) index
            for i in range(0, len(values), 500):
                known = Entity.objects.filter(
                    bureau_id=run.bureau_id, kind=kind, value__in=values[i : i + 500]
                )
                for pk, value in known.values_list("pk", "value"):
                    entity_ids[(kind, value)] = pk
        Mention.objects.bulk_create(
            [
                Mention(
                    bureau_id=run.bureau_id,
                    entity_id=entity_ids[(e.kind, e.value[:120])],
                    source=source,
                    record_id=pk,
                    record_number=num,
                    unit_id=unit_id,
                    criminal=crim,
                    on_date=on,
                    start=e.start,
                )
                for pk, num, unit_id, on, crim, e in found
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        cursors = dict(run.cursors)
        cursors[source] = rows[-1][0]
        ExtractionRun.objects.filter(pk=run.pk).update(
            cursors=cursors,
            records=run.records + len(rows),
            mentions=run.mentions + len(found),
            status="running",
            updated_at=timezone.now(),
        )
        run.cursors, run.records, run.mentions = cursors, run.records + len(rows), run.mentions + len(found)
    return len(found)


def find_clusters(bureau_id: int, settings: engine.ClusterSettings | None = None) -> list[dict]:
    """The flagged clusters over the bureau's criminal mentions (criminal incidents and cases,
    petitions), as rows for ``Cluster`` (evidence by entity id)."""
    rows = (
        Mention.objects.filter(bureau_id=bureau_id, criminal=True)
        .values_list(
            "entity_id", "entity__kind", "source", "record_id", "record_number", "on_date", "unit_id"
        )
        .order_by()
    )
    records: dict[str, dict] = {}
    for ent, kind, source, rid, num, on, unit in rows.iterator(chunk_size=5000):
        key = f"{source}:{rid}"
        r = records.setdefault(key, {"on": on, "ents": set(), "num": num, "unit": unit})
        r["ents"].add((kind, str(ent)))
    recs = [engine.Record(k, r["on"], frozenset(r["ents"])) for k, r in records.items()]
    out = []
    for n, c in enumerate(engine.cluster(recs, settings), start=1):
        evidence = []
        for ev in c.evidence:
            items = []
            for key, on in ev.records:
                source, rid = key.split(":")
                r = records[key]
                items.append([source, int(rid), r["num"], on.isoformat(), r["unit"]])
            evidence.append({"entity": int(ev.value), "kind": ev.kind, "records": items})
        out.append(
            {
                "number": n,
                "records": len(c.records),
                "entities": len(c.evidence),
                "first": c.first,
                "last": c.last,
                "evidence": evidence,
            }
        )
    return out


def run_extraction(job, ctx) -> None:
    from jingwu.org.models import Unit

    run = ExtractionRun.objects.get(pk=job.target_id)
    if run.status in {"done", "cancelled"}:
        return
    hq = (
        Unit.objects.filter(bureau_id=run.bureau_id, kind="headquarters").values_list("pk", flat=True).first()
    )
    book = address_book(run.bureau_id)
    totals = _totals(run)
    total = sum(totals.values())
    ctx.progress(run.records, total, phase="extract")
    for source in SOURCES:
        while True:
            rows = _texts(run, source, int(run.cursors.get(source, 0)), hq)
            if not rows:
                break
            _write_chunk(run, source, rows, book)
            ctx.progress(run.records, total, phase="extract")
    ctx.progress(run.records, total, phase="cluster")
    clusters = find_clusters(run.bureau_id)
    with transaction.atomic():
        # entities no record names any more (a record changed since the last run)
        Entity.objects.filter(bureau_id=run.bureau_id, mentions__isnull=True).delete()
        Cluster.objects.filter(bureau_id=run.bureau_id).delete()
        Cluster.objects.bulk_create([Cluster(bureau_id=run.bureau_id, run=run, **c) for c in clusters])
        ExtractionRun.objects.filter(pk=run.pk).update(
            status="done", clusters=len(clusters), finished_at=timezone.now(), updated_at=timezone.now()
        )
    ctx.progress(total, total, phase="cluster", percent=100)


def mark_run_ended(job) -> None:
    """The run learns that its job failed or was cancelled (what it committed stays)."""
    if job.state in {"failed", "cancelled"}:
        ExtractionRun.objects.filter(pk=job.target_id).exclude(status="done").update(
            status=job.state, error=(job.error or "")[:2000], finished_at=timezone.now()
        )
