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
from typing import NamedTuple, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from navis.errors import ConfigError, ProcessingError

_T = TypeVar("_T")
_MAGIC = b"NVB1"  # marks a sealed blob, so a key added later still reads older plain blobs
_NONCE = 12


class Sealed(NamedTuple):
    """A blob as written to disk: named by the SHA-256 of its plain bytes, sealed when a key is set."""

    sha256: str
    payload: bytes


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
        """Store each of ``blobs`` durably; their SHA-256s, in order."""
        sealed = [self.seal(data) for data in blobs]
        self.put_sealed(sealed)
        return [blob.sha256 for blob in sealed]

    def seal(self, data: bytes) -> Sealed:
        """``data`` as it is written to disk: encrypted when a key is set, else as is."""
        sha256 = hashlib.sha256(data).hexdigest()
        if self._aead is None:
            return Sealed(sha256, data)
        nonce = os.urandom(_NONCE)
        return Sealed(sha256, _MAGIC + nonce + self._aead.encrypt(nonce, data, sha256.encode("ascii")))

    def put_sealed(self, blobs: Sequence[Sealed]) -> None:
        """Store sealed blobs durably (those not there already). The files are written first and then fsync'd
        together, so the disk's flushes overlap rather than queue one behind the other."""
        missing = {blob.sha256: blob.payload for blob in blobs if not self.path(blob.sha256).exists()}
        created: set[Path] = set()
        written: list[tuple[str, Path]] = []
        try:
            for sha, payload in missing.items():
                written.append((self._write_temporary(sha, payload, created), self.path(sha)))
            _in_parallel(_fsync_file, [tmp for tmp, _ in written])
            for tmp, target in written:
                os.replace(tmp, target)
        except BaseException:
            for tmp, _ in written:
                Path(tmp).unlink(missing_ok=True)
            raise
        # A rename is durable once its folder is flushed, and a new folder once the folder holding it is.
        folders = {target.parent for _, target in written} | {folder.parent for folder in created}
        _in_parallel(_fsync_dir, sorted(folders))

    def _write_temporary(self, sha256: str, payload: bytes, created: set[Path]) -> str:
        folder = self.path(sha256).parent
        if not folder.is_dir():
            for new in (self.root, folder.parent, folder):
                if not new.is_dir():
                    new.mkdir(parents=True, exist_ok=True)
                    created.add(new)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return tmp

    def get(self, sha256: str) -> bytes:
        """The plain bytes of a blob; ProcessingError when it is missing or fails its check."""
        try:
            payload = self.path(sha256).read_bytes()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ProcessingError(f"blob {sha256[:12]} is missing from the store") from exc
        return self.unseal(Sealed(sha256, payload))

    def exists(self, sha256: str) -> bool:
        """Whether the blob is on disk."""
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> None:
        """Remove a blob (a no-op when absent)."""
        self.path(sha256).unlink(missing_ok=True)

    def unseal(self, blob: Sealed) -> bytes:
        """The plain bytes of a sealed blob; ProcessingError when they fail their check."""
        data = self._open(blob.sha256, blob.payload)
        if hashlib.sha256(data).hexdigest() != blob.sha256:
            raise ProcessingError(f"blob {blob.sha256[:12]} does not match its hash")
        return data

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
