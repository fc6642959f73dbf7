"""Imports run as jobs of the job pattern: an import points to its run (``jobs.Job``).

Its own worker and heartbeat go (the run has them). Finished imports get no run; an
import still under way gets a queued run of the kind ``import``, which the worker
cluster hands out (it resumes after its last committed chunk).
"""

import django.db.models.deletion
from django.db import migrations, models

ACTIVE = ("queued", "checking", "applying")


def queue_unfinished(apps, schema_editor):
    ImportJob = apps.get_model("imports", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    for job in ImportJob.objects.filter(status__in=ACTIVE, run__isnull=True).iterator():
        run = Job.objects.create(
            bureau_id=job.bureau_id,
            kind="import",
            target_type="imports.importjob",
            target_id=job.pk,
            started_by_id=job.user_id,
            language=(job.language or "")[:10],
            time_limit=2 * 3600,
            memory_limit=2048,
            max_attempts=3,
        )
        ImportJob.objects.filter(pk=job.pk).update(run=run)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_importrow_key_unique"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="importjob", name="heartbeat"),
        migrations.RemoveField(model_name="importjob", name="worker"),
        migrations.AddField(
            model_name="importjob",
            name="run",
            field=models.ForeignKey(
                blank=True,
                help_text="The background job running this import (its current or last run).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="jobs.job",
                verbose_name="run",
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("checking", "Checking rows"),
                    ("applying", "Saving"),
                    ("done", "Done"),
                    ("rejected", "Rejected: nothing imported"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled: nothing imported"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(queue_unfinished, migrations.RunPython.noop),
    ]
