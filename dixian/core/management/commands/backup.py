"""``dixian backup create DEST`` and ``dixian backup restore SRC``: the database, the file
store (uploaded originals and the Parquet feed batches under ``MEDIA_ROOT``) and the keys.

A backup is a folder::

    database.dump   pg_dump's custom format (PostgreSQL) or a SQLite copy (database.sqlite3)
    media.tar       MEDIA_ROOT: originals and Parquet batches (written once, never changed)
    keys/           SECRET_KEY, DIXIAN_DATA_KEYS, DIXIAN_LOOKUP_KEY, DIXIAN_AUDIT_KEY
                    (0600); --keys-to puts
                    them elsewhere, which is what production should do (docs/deployment.md)
    manifest.json   when, which database engine, the applied migrations, SHA-256 of each file

The database is dumped first and the files archived after it: files are only ever added, so
the archive holds every file the dump refers to. Restore goes into an empty database (a new
server or ``createdb``); then ``dixian migrate`` brings an older backup up to this release.
Without the same DIXIAN_DATA_KEYS the restored ID numbers cannot be read: restore refuses
when the backup's keys differ from the configured ones, unless --ignore-keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from glob import glob
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

KEY_FILES = {"secret-key": "SECRET_KEY", "data-keys": "DIXIAN_DATA_KEYS",
             "lookup-key": "DIXIAN_LOOKUP_KEY", "audit-key": "DIXIAN_AUDIT_KEY"}


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the newest PostgreSQL on the machine (PG_BINDIR first)."""
    candidates = [os.path.join(os.environ.get("PG_BINDIR", "/nonexistent"), name),
                  *sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)]
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} not found: install postgresql-client or set PG_BINDIR")
    return found


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    for key, option in (("sslmode", "PGSSLMODE"),):
        if key in db.get("OPTIONS", {}):
            env[option] = db["OPTIONS"][key]
    args = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres", "-d", db["NAME"]]
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


class Command(BaseCommand):
    help = "Back up (or restore) the database, the uploaded files and Parquet store, the keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write a backup folder DEST")
        create.add_argument("dest")
        create.add_argument("--keys-to", help="write the keys here instead of DEST/keys")
        restore = sub.add_parser("restore", help="restore SRC into an empty database")
        restore.add_argument("src")
        restore.add_argument("--keys-from", help="where the backup's keys are (DEST/keys)")
        restore.add_argument("--ignore-keys", action="store_true",
                             help="restore although the configured keys differ")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    # ------------------------------------------------------------------ create
    def handle_create(self, dest, keys_to=None, **options):
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            raise CommandError(f"{dest} exists and is not empty: give a new folder")
        dest.mkdir(parents=True, exist_ok=True)
        dest.chmod(0o700)
        vendor = connection.vendor
        if vendor == "postgresql":
            target = dest / "database.dump"
            args, env = _pg_env()
            subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                            "--file", str(target), *args], check=True, env=env)
        elif vendor == "sqlite":
            import sqlite3

            target = dest / "database.sqlite3"
            with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as source, \
                    sqlite3.connect(target) as copy:
                source.backup(copy)
        else:
            raise CommandError(f"no backup for database engine {vendor}")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(dest / "media.tar", "w") as tar:
            if media.exists():
                tar.add(media, arcname=".")
        keys_dir = Path(keys_to) if keys_to else dest / "keys"
        keys_dir.mkdir(parents=True, exist_ok=True)
        keys_dir.chmod(0o700)
        for name, setting in KEY_FILES.items():
            path = keys_dir / name
            path.write_text(getattr(settings, setting) + "\n")
            path.chmod(0o600)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": vendor, "migrations": _applied_migrations(),
            "files": {p.name: _sha256(p) for p in (target, dest / "media.tar")},
            "keys": {name: _fingerprint(getattr(settings, s)) for name, s in KEY_FILES.items()},
        }
        (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"backup written to {dest} (keys in {keys_dir}): "
                          f"{target.stat().st_size:,} bytes of database, "
                          f"{(dest / 'media.tar').stat().st_size:,} bytes of files")

    # ------------------------------------------------------------------ restore
    def handle_restore(self, src, keys_from=None, ignore_keys=False, **options):
        src = Path(src)
        manifest_path = src / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{src} holds no manifest.json: not a Dixian backup")
        manifest = json.loads(manifest_path.read_text())
        for name, digest in manifest["files"].items():
            if _sha256(src / name) != digest:
                raise CommandError(f"{src / name} does not match its SHA-256 in the manifest")
        keys_dir = Path(keys_from) if keys_from else src / "keys"
        differing = [name for name, setting in KEY_FILES.items() if name != "secret-key"
                     and name in manifest["keys"]  # an older backup has no audit key
                     and _fingerprint(getattr(settings, setting)) != manifest["keys"][name]]
        if differing and not ignore_keys:
            raise CommandError(
                f"the configured {', '.join(differing)} differ from the backup's: install the "
                f"key files from {keys_dir} (DIXIAN_DATA_KEYS_FILE, DIXIAN_LOOKUP_KEY_FILE, "
                "DIXIAN_AUDIT_KEY_FILE) first, or the restored ID numbers cannot be read "
                "nor the audit chain verified")
        vendor = connection.vendor
        if vendor != manifest["database"]:
            raise CommandError(f"the backup is of {manifest['database']}, this is {vendor}")
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                if cursor.fetchone()[0]:
                    raise CommandError("the database is not empty: restore into a new one "
                                       "(createdb) and point DATABASE_URL at it")
            connection.close()
            args, env = _pg_env()
            subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--exit-on-error",
                            "--single-transaction", *args, str(src / "database.dump")],
                           check=True, env=env)
        else:
            import sqlite3

            connection.close()
            with sqlite3.connect(src / "database.sqlite3") as source, \
                    sqlite3.connect(settings.DATABASES["default"]["NAME"]) as target:
                source.backup(target)
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(src / "media.tar") as tar:
            tar.extractall(media, filter="data")
        self.stdout.write(f"restored {src} (backup of {manifest['created_at']}); now run "
                          "`dixian migrate` and `dixian audit verify`")
