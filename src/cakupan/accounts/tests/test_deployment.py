"""Production settings from the environment: `cakupan check --deploy` reports nothing with them, and the
public demo key stops the server outside demo mode. Each case is a fresh process with its own environment,
as a deployment starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PRODUCTION = {
    "CAKUPAN_SECRET_KEY": "k3Jx9-TqWm2v_Lp8Rz4Yc7Nd1Fh6Gs0Ba5Ue3Io9Pw2Xe7Tr4Ym1Qn8Vb6Zc0Ha5Sj",
    "CAKUPAN_ALLOWED_HOSTS": "cakupan.example.go.id",
    "CAKUPAN_CSRF_TRUSTED_ORIGINS": "https://cakupan.example.go.id",
    "CAKUPAN_HSTS_SECONDS": "31536000",
    "CAKUPAN_SECURE_COOKIES": "1",
    "CAKUPAN_SSL_REDIRECT": "1",
    "CAKUPAN_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def clean_env(**values: str) -> dict[str, str]:
    """This process's environment without any CAKUPAN_ setting, plus `values`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CAKUPAN_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return {**env, **values}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "cakupan"), "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = check_deploy(clean_env(**PRODUCTION))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_them() -> None:
    result = check_deploy(clean_env())
    assert result.returncode != 0
    for problem in ("cakupan.E001", "security.W004", "security.W008", "security.W012", "security.W016"):
        assert problem in result.stderr


def test_leaving_out_preload_is_a_choice_not_a_warning() -> None:
    result = check_deploy(clean_env(**PRODUCTION, CAKUPAN_HSTS_PRELOAD="0"))
    assert result.returncode == 0, result.stderr


def wsgi_start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-c", "import cakupan.wsgi"], env)


def test_wsgi_refuses_the_demo_key_outside_demo_mode() -> None:
    result = wsgi_start(clean_env())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CAKUPAN_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("demo", [{"CAKUPAN_DEMO": "1"}, {"CAKUPAN_SECRET_KEY": "x" * 60}])
def test_wsgi_starts_in_demo_mode_or_with_a_key(demo: dict[str, str]) -> None:
    result = wsgi_start(clean_env(**demo))
    assert result.returncode == 0, result.stderr


def test_serve_refuses_the_demo_key_before_starting_gunicorn() -> None:
    result = run([str(BIN / "cakupan"), "serve", "--port", "1"], clean_env())
    assert result.returncode == 1
    assert "CAKUPAN_SECRET_KEY is not set" in result.stderr
    assert "served on" not in result.stdout


def test_other_commands_run_without_a_key() -> None:
    # A fresh clone migrates, loads and tests before anyone sets a key.
    result = run([str(BIN / "cakupan"), "check"], clean_env())
    assert result.returncode == 0, result.stderr
