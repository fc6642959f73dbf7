"""A plan's run is a job of the job pattern: a scenario points to its run (``jobs.Job``).

The scenario's own step, progress and worker go (they are read from the run). Scenarios
not under way get no run; one queued or running gets a queued run of the kind
``planning``, which the worker cluster hands out (a run starts over: it writes its
results at the end only).
"""

import django.db.models.deletion
from django.db import migrations, models


def queue_unfinished(apps, schema_editor):
    Scenario = apps.get_model("planning", "Scenario")
    Job = apps.get_model("jobs", "Job")
    for scenario in Scenario.objects.filter(status__in=("queued", "running"), run__isnull=True).iterator():
        run = Job.objects.create(
            bureau_id=scenario.bureau_id,
            kind="planning",
            target_type="planning.scenario",
            target_id=scenario.pk,
            started_by_id=scenario.run_by_id,
            time_limit=3600,
            memory_limit=4096,
            max_attempts=3,
        )
        Scenario.objects.filter(pk=scenario.pk).update(run=run, status="queued")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("planning", "0003_scenario_thin_data_reason"),
    ]

    operations = [
        migrations.RemoveField(model_name="scenario", name="progress"),
        migrations.RemoveField(model_name="scenario", name="step"),
        migrations.RemoveField(model_name="scenario", name="worker"),
        migrations.AddField(
            model_name="scenario",
            name="run",
            field=models.ForeignKey(
                blank=True,
                help_text="The background job computing the plan (its current or last run).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="jobs.job",
                verbose_name="run",
            ),
        ),
        migrations.RunPython(queue_unfinished, migrations.RunPython.noop),
    ]
