from django.core.management.base import BaseCommand, CommandError

from jingwu.core.audit import verify_chain
from jingwu.core.models import Bureau


class Command(BaseCommand):
    help = "Verify the hash chain of every bureau's audit trail; exit 1 on any altered or missing event."

    def add_arguments(self, parser):
        parser.add_argument("--bureau", default="", help="only this bureau code")

    def handle(self, *args, bureau="", **options):
        bureaus = list(Bureau.objects.filter(code=bureau) if bureau else Bureau.objects.all())
        if bureau and not bureaus:
            raise CommandError(f"no bureau with code {bureau!r}")
        bad = 0
        for b in [None, *bureaus]:
            problems = verify_chain(b)
            label = b.code if b else "(system)"
            if problems:
                bad += 1
                self.stdout.write(f"{label}: {len(problems)} problem(s)")
                for p in problems[:50]:
                    self.stdout.write(f"  {p}")
            else:
                self.stdout.write(f"{label}: intact")
        if bad:
            raise CommandError(f"{bad} audit chain(s) broken")
