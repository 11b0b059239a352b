"""The process-level contract: settings from the environment, the dixian command."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args, **env):
    full_env = {k: v for k, v in os.environ.items()
                if k not in {"DIXIAN_MODE", "SECRET_KEY", "DJANGO_SETTINGS_MODULE",
                              "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "dixian", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_production_without_a_secret_stops_with_a_clear_message():
    result = _run(["check"])
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"],
                  SECRET_KEY="k" * 20 + "-Zx9#Lq2!vB7$mN4^tR8&yW3*uE6(pO1)",
                  ALLOWED_HOSTS="dixian.example.org",
                  DIXIAN_DATA_KEYS="p1:" + "C" * 43, DIXIAN_LOOKUP_KEY="D" * 43,
                  DIXIAN_AUDIT_KEY="E" * 43,
                  DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", DIXIAN_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_data_keys_stops_with_a_clear_message():
    result = _run(["check"], SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "DIXIAN_DATA_KEYS and DIXIAN_LOOKUP_KEY must be set" in result.stderr


def test_production_without_the_audit_key_stops_with_a_clear_message(tmp_path):
    result = _run(["check"], SECRET_KEY="s" * 50, DIXIAN_DATA_KEYS="p1:" + "C" * 43,
                  DIXIAN_LOOKUP_KEY="D" * 43, DIXIAN_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DIXIAN_AUDIT_KEY must be set" in result.stderr


def test_a_malformed_setting_names_the_variable():
    result = _run(["check"], DIXIAN_MODE="dev", DIXIAN_DEBUG="maybe")
    assert result.returncode != 0 and "DIXIAN_DEBUG" in result.stderr


def test_dixian_help_lists_the_commands():
    result = _run(["--help"], DIXIAN_MODE="test")
    assert result.returncode == 0, result.stderr
    for command in ("demo", "serve", "regions", "users", "audit"):
        assert f"  {command} " in result.stdout


def test_debug_is_only_on_in_dev_mode():
    code = "from django.conf import settings; print(settings.DEBUG)"
    for mode, expected in (("dev", "True"), ("test", "False")):
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(DIXIAN_MODE=mode, DJANGO_SETTINGS_MODULE="dixian.settings")
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.stdout.strip() == expected, result.stderr
