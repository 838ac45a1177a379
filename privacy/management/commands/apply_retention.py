from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy import retention


class Command(BaseCommand):
    help = "Delete or anonymise records past their retention time (README: Retention); --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many records of each type would go; change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        today = timezone.localdate()
        counts = retention.due_counts(today) if dry_run else retention.apply_rules(today)
        verb = "would go" if dry_run else "went"
        self.stdout.write(f"Retention on {today:%Y-%m-%d}{' (dry run, nothing changed)' if dry_run else ''}:")
        for rule in retention.RULES:
            self.stdout.write(f"  {rule.name:<18} {counts[rule.name]:>8} {verb}  ({rule.label})")
