from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print a demo staff account's current two-factor code (refused under production settings)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError("otp-code is for demos and development; staff use their authenticator app.")
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(f"{username} has no confirmed authenticator.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}")
