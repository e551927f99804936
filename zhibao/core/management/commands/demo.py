from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import BaseCommand
from django.test.utils import override_settings


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Demo users have example.org addresses: do not print their notification mails.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.load_all()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        print_logins(self.stdout)

    def load_all(self):
        for config in apps.get_app_configs():
            if not config.name.startswith("zhibao."):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(stdout=self.stdout)


def print_logins(out) -> None:
    from zhibao.accounts.demo import PEOPLE

    out.write(f"Demo logins (password: {settings.ZHIBAO_DEMO_PASSWORD}):")
    for username, name, roles, _mobile in PEOPLE:
        out.write(f"  {username:<11} {name}  {', '.join(str(r.label) for r in roles) or '申请人 applicant'}")
    out.write("Staff accounts ask for a two-factor code after the password; for the demo accounts print it with:")
    out.write("  .venv/bin/zhibao otp-code clerk      (any staff username)")
