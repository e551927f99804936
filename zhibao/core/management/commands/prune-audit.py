import datetime as dt

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from zhibao.core.append_only import RETENTION_DAYS


class Command(BaseCommand):
    help = f"Delete security events and change-log entries older than --days (at least {RETENTION_DAYS})."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365 * 3)

    def handle(self, *args, days: int, **options):
        # GB/T 22239 level 3 asks for audit records to be kept; we keep at least 180 days,
        # and the database triggers refuse anything younger whatever this command is told.
        if days < RETENTION_DAYS:
            raise CommandError(f"Audit records younger than {RETENTION_DAYS} days cannot be pruned.")
        from auditlog.models import LogEntry

        from zhibao.core.models import SecurityEvent

        cutoff = timezone.now() - dt.timedelta(days=days)
        security, _ = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()
        changes, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
        self.stdout.write(f"pruned {security} security events and {changes} change-log entries older than {cutoff:%Y-%m-%d}")
