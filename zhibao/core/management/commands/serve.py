import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import BaseCommand

from .demo import print_logins


class Command(BaseCommand):
    help = "Serve the web app (gunicorn) and the task worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, port, host, workers, **options):
        bindir = os.path.dirname(sys.executable)
        zhibao = os.path.join(bindir, "zhibao")
        web = subprocess.Popen([
            os.path.join(bindir, "gunicorn"), "zhibao.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--threads", "4", "--access-logfile", "-", "--timeout", "120",
        ])
        worker = subprocess.Popen([zhibao if os.path.exists(zhibao) else sys.executable, *(
            [] if os.path.exists(zhibao) else ["-m", "zhibao.cli"]), "worker"])
        children = [web, worker]
        self.stdout.write(self.style.SUCCESS(f"Zhibao is serving at http://{host}:{port}/ (web + worker). Ctrl-C stops."))
        self.stdout.write(f"Data lives in {settings.VAR_DIR}")
        print_logins(self.stdout)

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [c.returncode for c in children]
        if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes):
            raise SystemExit(1)
