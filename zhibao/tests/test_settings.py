"""Settings: the SQLite posture, production hardening, language and time zone."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

ROOT = settings.BASE_DIR


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHIBAO_") and k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite posture only applies to SQLite")
def test_sqlite_runs_in_wal_with_immediate_transactions_and_a_long_busy_timeout():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20000


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_everything_written_lives_under_the_var_dir():
    var = settings.VAR_DIR
    for path in (settings.MEDIA_ROOT, settings.STATIC_ROOT, settings.SQLITE_PATH):
        assert var in path.parents


def test_production_refuses_to_start_without_secret_and_hosts(tmp_path):
    result = run_python("import zhibao.settings", ZHIBAO_ENV="production", ZHIBAO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "ZHIBAO_SECRET_KEY" in result.stderr


def test_production_turns_on_secure_cookies_hsts_and_ssl_redirect(tmp_path):
    code = (
        "import zhibao.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.DEBUG)"
    )
    result = run_python(code, ZHIBAO_ENV="production", ZHIBAO_VAR_DIR=str(tmp_path),
                        ZHIBAO_SECRET_KEY="x" * 60, ZHIBAO_ALLOWED_HOSTS="ip.example.gov.cn",
                        ZHIBAO_FIELD_KEY="3q2-7wVzqE0q2Pn1i4vYt0m2Jc0kqS9bHfOaZx7yYw8=")
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr


def test_check_deploy_passes_under_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "zhibao.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ZHIBAO_")}, "ZHIBAO_ENV": "production",
             "ZHIBAO_VAR_DIR": str(tmp_path), "ZHIBAO_SECRET_KEY": "k" * 64 + "-Zhibao-2026!",
             "ZHIBAO_ALLOWED_HOSTS": "ip.example.gov.cn",
             "ZHIBAO_FIELD_KEY": "3q2-7wVzqE0q2Pn1i4vYt0m2Jc0kqS9bHfOaZx7yYw8="},
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_requires_the_personal_data_key(tmp_path):
    result = run_python("import zhibao.settings", ZHIBAO_ENV="production", ZHIBAO_VAR_DIR=str(tmp_path),
                        ZHIBAO_SECRET_KEY="x" * 60, ZHIBAO_ALLOWED_HOSTS="ip.example.gov.cn")
    assert result.returncode != 0 and "ZHIBAO_FIELD_KEY" in result.stderr
