"""The file store of uploads (originals, Parquet batches, rejected rows): never a partial file.

Every name Dixian stores under is derived from the file's SHA-256, so the same name means the
same bytes. :class:`SafeFileStorage` therefore

- writes to a temporary file beside the target, flushes it to disk and renames it into place
  (a process killed mid-write leaves no half file under a real name);
- reuses a file already stored under that name with the same bytes (a re-sent or re-run upload
  after a crash adds nothing);
- on a write error (a full disk) removes what it wrote and raises :class:`StoreError`, which
  says what happened in words an administrator can act on.
"""

from __future__ import annotations

import contextvars
import errno
import hashlib
import os
import tempfile
from contextlib import contextmanager

from django.core.files.storage import FileSystemStorage


class StoreError(OSError):
    """The file could not be stored (full disk, no permission): nothing was recorded."""


_created: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("created",
                                                                            default=None)


@contextmanager
def all_or_nothing():
    """Files stored inside the block are removed again when the block fails (the disk full
    at the second file of an upload, the database refusing its row): a failed upload leaves
    no file behind. A file that was already stored (the same bytes, an earlier upload) is
    kept."""
    created: list[str] = []
    token = _created.set(created)
    try:
        yield
    except BaseException:
        for path in created:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise
    finally:
        _created.reset(token)


def _digest_of_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest_of_content(content) -> str:
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    return digest.hexdigest()


class SafeFileStorage(FileSystemStorage):
    def get_available_name(self, name, max_length=None):
        return name  # decided in _save: the same bytes reuse the name, others get a new one

    def _save(self, name, content):
        full_path = self.path(name)
        if os.path.exists(full_path):
            if _digest_of_file(full_path) == _digest_of_content(content):
                return name.replace("\\", "/")
            name = super().get_available_name(name)
            full_path = self.path(name)
        directory = os.path.dirname(full_path)
        temporary = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
            with os.fdopen(fd, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o640)
            os.replace(temporary, full_path)
            temporary = None
            if (created := _created.get()) is not None:
                created.append(full_path)
        except OSError as exc:
            reason = ("the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                      else exc.strerror or str(exc))
            raise StoreError(exc.errno, f"could not store {os.path.basename(name)} under "
                             f"{self.location}: {reason}. Nothing was recorded; free space "
                             "(or fix the folder) and send the file again.") from exc
        finally:
            if temporary is not None and os.path.exists(temporary):
                os.unlink(temporary)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

