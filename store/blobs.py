"""Content-addressed blob store on local disk (or a shared volume), optionally encrypted at rest.

A blob lives at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``, named by the SHA-256 of its plain bytes, so the same file
uploaded twice is stored once. Writes are atomic and durable: temporary file, fsync, rename, fsync of the folder;
a crash leaves either the whole blob or none of it. With a key, each blob is sealed with AES-256-GCM (a fresh
nonce per write, the hash as associated data, so a blob moved to another name fails to open).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from navis.errors import ConfigError, ProcessingError

_T = TypeVar("_T")
_MAGIC = b"NVB1"  # marks a sealed blob, so a key added later still reads older plain blobs
_NONCE = 12


def derive_key(secret: str) -> bytes:
    """32 key bytes from the configured secret: a urlsafe-base64 32-byte key as is, anything else hashed."""
    try:
        raw = base64.urlsafe_b64decode(secret.encode("ascii") + b"=" * (-len(secret) % 4))
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) == 32:
        return raw
    if len(secret) < 16:
        raise ConfigError("NAVIS_BLOB_KEY is too short: give 32 random bytes, urlsafe-base64 encoded")
    return hashlib.sha256(secret.encode("utf-8")).digest()


class BlobStore:
    """Put, get and delete blobs by SHA-256."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = root
        self._aead = AESGCM(key) if key else None

    def path(self, sha256: str) -> Path:
        """Where the blob named ``sha256`` lives."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` durably and return its SHA-256 (a no-op when it is there already)."""
        return self.put_many([data])[0]

    def put_many(self, blobs: Sequence[bytes]) -> list[str]:
        """Store each of ``blobs`` durably; their SHA-256s, in order. The files are written first and then
        fsync'd together, so the disk's flushes overlap rather than queue one behind the other."""
        shas = [hashlib.sha256(data).hexdigest() for data in blobs]
        missing = {sha: data for sha, data in zip(shas, blobs, strict=True) if not self.path(sha).exists()}
        written: list[tuple[str, Path]] = []
        try:
            for sha, data in missing.items():
                written.append((self._write_temporary(sha, data), self.path(sha)))
            _in_parallel(_fsync_file, [tmp for tmp, _ in written])
            for tmp, target in written:
                os.replace(tmp, target)
        except BaseException:
            for tmp, _ in written:
                Path(tmp).unlink(missing_ok=True)
            raise
        _in_parallel(_fsync_dir, sorted({target.parent for _, target in written}))
        return shas

    def _write_temporary(self, sha256: str, data: bytes) -> str:
        folder = self.path(sha256).parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._seal(sha256, data))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return tmp

    def get(self, sha256: str) -> bytes:
        """The plain bytes of a blob; ProcessingError when it is missing or fails its check."""
        try:
            payload = self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise ProcessingError(f"blob {sha256[:12]} is missing from the store") from exc
        data = self._open(sha256, payload)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ProcessingError(f"blob {sha256[:12]} does not match its hash")
        return data

    def exists(self, sha256: str) -> bool:
        """Whether the blob is on disk."""
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> None:
        """Remove a blob (a no-op when absent)."""
        self.path(sha256).unlink(missing_ok=True)

    def _seal(self, sha256: str, data: bytes) -> bytes:
        if self._aead is None:
            return data
        nonce = os.urandom(_NONCE)
        return _MAGIC + nonce + self._aead.encrypt(nonce, data, sha256.encode("ascii"))

    def _open(self, sha256: str, payload: bytes) -> bytes:
        if not payload.startswith(_MAGIC) or hashlib.sha256(payload).hexdigest() == sha256:
            return payload  # stored plain (before a key was set, or a file that happens to start with our marker)
        if self._aead is None:
            raise ConfigError("blob store is encrypted but NAVIS_BLOB_KEY is not set")
        nonce = payload[len(_MAGIC) : len(_MAGIC) + _NONCE]
        try:
            return self._aead.decrypt(nonce, payload[len(_MAGIC) + _NONCE :], sha256.encode("ascii"))
        except InvalidTag as exc:
            raise ConfigError(f"blob {sha256[:12]} cannot be decrypted with the configured NAVIS_BLOB_KEY") from exc


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk too.
    _fsync_file(str(folder))


_FLUSHERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="navis-fsync")


def _in_parallel(flush: Callable[[_T], None], items: Sequence[_T]) -> None:
    """Run ``flush`` on each item, overlapping them when there are several (fsync waits on the disk, not the CPU)."""
    if len(items) <= 1:
        for item in items:
            flush(item)
        return
    for future in [_FLUSHERS.submit(flush, item) for item in items]:
        future.result()
