"""Load benchmark: 50 users log in and browse, against the real server on loopback.

A fresh temporary ZHIBAO_VAR_DIR (SQLite) gets `migrate`, `collectstatic` and `demo`; then
`zhibao serve` (gunicorn, 2 workers x 4 threads, plus the task worker, as `make run` serves it)
listens on a free loopback port, and locust, used as a library, runs headless for
BENCH_LOAD_SECONDS (default 120). Users are alice, bob and clerk in turn; each logs in through
the login form (clerk also enters a backup code at the two-factor step), then browses: home,
my cases, a case page, /api/v1/cases, /api/v1/me, notifications, and the worklist for clerk,
with a think time of BENCH_LOAD_WAIT seconds (default "0.5,1.5") between pages.

The server runs with ZHIBAO_ENV=development (BENCH_LOAD_ENV): the production password hasher
and static-file storage, over plain HTTP. Locust shares the machine's cores with the server.
Prints `BENCH name value unit`; a per-endpoint table goes before them. The server is stopped
whatever happens.
"""

import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SPAWN_RATE = float(os.environ.get("BENCH_LOAD_SPAWN_RATE", "2"))
WAIT = tuple(float(x) for x in os.environ.get("BENCH_LOAD_WAIT", "0.5,1.5").split(","))
SERVER_ENV = os.environ.get("BENCH_LOAD_ENV", "development")
PASSWORD = os.environ.get("ZHIBAO_DEMO_PASSWORD", "Zhibao-demo-2026")
PERSONAS = itertools.cycle(["alice", "bob", "clerk"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLERK_CODES = [f"bench{i:05d}" for i in range(max(USERS, 1) * 4)]  # single-use backup codes
LOGIN_PATHS = ("/accounts/login/", "/accounts/2fa/")

latencies: dict[str, list[float]] = defaultdict(list)
failures: dict[str, int] = defaultdict(int)
codes = iter(CLERK_CODES)


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, **kwargs):
    latencies[name].append(response_time)
    if exception is not None:
        failures[name] += 1


class Visitor(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.username = next(PERSONAS)
        self.login()
        self.cases = []
        with self.client.get("/api/v1/cases", name="/api/v1/cases", catch_response=True) as response:
            self._expect_page(response)
            if response.status_code == 200:
                self.cases = [c["number"] for c in response.json().get("results", [])]

    def login(self):
        page = self.client.get("/accounts/login/", name="login: form")
        token = CSRF.search(page.text)
        with self.client.post("/accounts/login/", name="login: password", catch_response=True, data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else "",
        }) as response:
            if self.username == "clerk":
                if "/accounts/2fa/verify/" not in (response.url or ""):
                    response.failure(f"clerk was not asked for a second factor: {response.url}")
                    return
                token = CSRF.search(response.text)
                response.success()
                with self.client.post(response.url, name="login: second factor", catch_response=True, data={
                    "token": next(codes), "csrfmiddlewaretoken": token.group(1) if token else "",
                }) as second:
                    self._expect_page(second)
            else:
                self._expect_page(response)

    @staticmethod
    def _expect_page(response):
        if response.status_code != 200 or not response.url:  # 0: no answer at all
            response.failure(f"HTTP {response.status_code} {getattr(response, 'error', '') or ''}".strip())
            return
        path = response.url.split("//", 1)[-1].split("/", 1)[-1]
        if ("/" + path).startswith(LOGIN_PATHS):
            response.failure(f"sent back to {path}")  # logged out, or the login did not take
        else:
            response.success()

    def page(self, url: str, name: str | None = None):
        with self.client.get(url, name=name or url, catch_response=True) as response:
            self._expect_page(response)

    @task(2)
    def home(self):
        self.page("/")

    @task(3)
    def my_cases(self):
        self.page("/cases/")

    @task(3)
    def case_page(self):
        if self.cases:
            self.page(f"/cases/{self.cases[int(time.monotonic() * 1000) % len(self.cases)]}/", "/cases/[number]/")

    @task(2)
    def api_cases(self):
        self.page("/api/v1/cases")

    @task(1)
    def api_me(self):
        self.page("/api/v1/me")

    @task(1)
    def notifications(self):
        self.page("/notifications/")

    @task(2)
    def worklist(self):
        self.page("/worklist/" if self.username == "clerk" else "/cases/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zhibao(env: dict, *args: str, log) -> None:
    subprocess.run([str(BIN / "zhibao"), *args], env=env, check=True, stdout=log, stderr=subprocess.STDOUT,
                   cwd=ROOT)


CLERK_CODES_SCRIPT = """
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
clerk = get_user_model().objects.get(username="clerk")
device, _ = StaticDevice.objects.get_or_create(user=clerk, name="bench", defaults={"confirmed": True})
StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in %r])
"""


def static_inputs_key() -> str:
    """A digest of what collectstatic reads: the npm lockfile and every project static file."""
    digest = hashlib.sha256((ROOT / "package-lock.json").read_bytes())
    digest.update((ROOT / "zhibao" / "settings.py").read_bytes())
    for top in [ROOT / "static", *sorted((ROOT / "zhibao").glob("*/static"))]:
        for folder, _dirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def collect_static(env: dict, var: Path, log) -> None:
    """collectstatic, through a cache: the compressed manifest storage takes ~3 minutes here
    (it gzips and brotlis all of node_modules/echarts/dist on every run), so the collected tree is
    kept in var/bench-cache keyed by its inputs and linked into the fresh ZHIBAO_VAR_DIR."""
    if os.environ.get("BENCH_LOAD_STATIC_CACHE", "1") == "0" or SERVER_ENV == "test":
        zhibao(env, "collectstatic", "--noinput", "-v0", log=log)  # (the test env does not compress)
        return
    cache = ROOT / "var" / "bench-cache"
    collected = cache / f"static-{SERVER_ENV}-{static_inputs_key()}"
    if (collected / "staticfiles.json").exists():
        shutil.rmtree(var / "static", ignore_errors=True)
    else:
        zhibao(env, "collectstatic", "--noinput", "-v0", log=log)
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob(f"static-{SERVER_ENV}-*"):
            shutil.rmtree(old, ignore_errors=True)
        shutil.move(str(var / "static"), collected)
    (var / "static").symlink_to(collected, target_is_directory=True)


def main() -> int:
    var = Path(tempfile.mkdtemp(prefix="zhibao-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")}
    env.update(ZHIBAO_ENV=SERVER_ENV, ZHIBAO_VAR_DIR=str(var), ZHIBAO_DEBUG="false", ZHIBAO_LOG_LEVEL="WARNING",
               ZHIBAO_DEMO_PASSWORD=PASSWORD)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    log = (var / "server.log").open("w")

    def stop_server() -> None:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # `zhibao serve` stops gunicorn and the worker
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    def terminated() -> None:  # killed from outside: the server must not outlive the benchmark
        stop_server()
        shutil.rmtree(var, ignore_errors=True)
        os._exit(143)

    gevent.signal_handler(signal.SIGTERM, terminated)
    gevent.signal_handler(signal.SIGHUP, terminated)
    try:
        start = time.perf_counter()
        zhibao(env, "migrate", "--noinput", "-v0", log=log)
        collect_static(env, var, log)
        zhibao(env, "demo", log=log)
        zhibao(env, "shell", "-c", CLERK_CODES_SCRIPT % (CLERK_CODES,), log=log)
        print(f"load: demo data ready in {time.perf_counter() - start:.1f} s ({var})", flush=True)
        server = subprocess.Popen([str(BIN / "zhibao"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                    json.load(response)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {var / 'server.log'}") from None
                time.sleep(0.3)

        environment = Environment(user_classes=[Visitor], host=base, events=events)
        runner = environment.create_local_runner()
        runner.start(USERS, spawn_rate=SPAWN_RATE)
        gevent.spawn_later(SECONDS, runner.quit)
        started = time.perf_counter()
        runner.greenlet.join()
        elapsed = time.perf_counter() - started
    finally:
        stop_server()
        log.close()

    report(elapsed)
    if os.environ.get("BENCH_LOAD_KEEP"):
        print(f"load: kept {var}")
    else:
        shutil.rmtree(var, ignore_errors=True)
    return 0


def report(elapsed: float) -> None:
    everything = [t for values in latencies.values() for t in values]
    browsing = [t for name, values in latencies.items() if not name.startswith("login") for t in values]
    errors = sum(failures.values())
    print(f"{'endpoint':<24}{'requests':>9}{'errors':>7}{'median':>8}{'p95':>8}{'p99':>8}{'max':>8}  (ms)")
    for name in sorted(latencies):
        values = latencies[name]
        print(f"{name:<24}{len(values):>9}{failures[name]:>7}{percentile(values, 50):>8.0f}"
              f"{percentile(values, 95):>8.0f}{percentile(values, 99):>8.0f}{max(values):>8.0f}")
    label = f"({USERS} users, {SECONDS:.0f} s, think {WAIT[0]:g}-{WAIT[1]:g} s, {SERVER_ENV} server)"
    bench("load.requests", len(everything), f"requests {label}")
    bench("load.rps", len(everything) / elapsed if elapsed else 0, "requests/s")
    bench("load.error_rate", 100 * errors / max(1, len(everything)), "%")
    bench("load.p95_ms", percentile(everything, 95), "ms (all requests, logins included)")
    bench("load.p99_ms", percentile(everything, 99), "ms (all requests, logins included)")
    bench("load.browse_p95_ms", percentile(browsing, 95), "ms (pages and API after login)")
    bench("load.browse_p99_ms", percentile(browsing, 99), "ms (pages and API after login)")


if __name__ == "__main__":
    sys.exit(main())
