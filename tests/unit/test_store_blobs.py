"""The blob store: content addressing, atomic durable writes, encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from navis.errors import ConfigError, ProcessingError
from store.blobs import BlobStore, derive_key

KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_put_returns_sha256_and_get_gives_the_bytes_back(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    data = b"%PDF-1.4 pretend report"
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.get(sha) == data
    assert blobs.path(sha).relative_to(tmp_path).parts == (sha[:2], sha[2:4], sha)


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    assert blobs.put(b"x" * 10) == blobs.put(b"x" * 10)
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    for i in range(5):
        blobs.put(f"doc {i}".encode())
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_encrypted_blob_is_not_readable_on_disk_but_round_trips(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path, derive_key(KEY))
    data = b"ER positive 95% HER2 1+" * 20
    sha = blobs.put(data)
    on_disk = blobs.path(sha).read_bytes()
    assert b"HER2" not in on_disk
    assert blobs.get(sha) == data


def test_wrong_key_fails_with_config_error_naming_the_setting(tmp_path: Path) -> None:
    sha = BlobStore(tmp_path, derive_key(KEY)).put(b"secret report")
    other = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with pytest.raises(ConfigError, match="NAVIS_BLOB_KEY"):
        BlobStore(tmp_path, derive_key(other)).get(sha)
    with pytest.raises(ConfigError, match="NAVIS_BLOB_KEY"):
        BlobStore(tmp_path).get(sha)


def test_plain_blobs_stay_readable_after_a_key_is_configured(tmp_path: Path) -> None:
    sha = BlobStore(tmp_path).put(b"stored before encryption")
    assert BlobStore(tmp_path, derive_key(KEY)).get(sha) == b"stored before encryption"


def test_tampered_blob_is_detected(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha = blobs.put(b"original")
    blobs.path(sha).write_bytes(b"changed!")
    with pytest.raises(ProcessingError, match="does not match"):
        blobs.get(sha)


def test_missing_blob_is_a_processing_error(tmp_path: Path) -> None:
    with pytest.raises(ProcessingError, match="missing"):
        BlobStore(tmp_path).get("0" * 64)


@pytest.mark.parametrize("name", ["../etc/passwd", "abc", "G" * 64, "0" * 63])
def test_names_that_are_not_hashes_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        BlobStore(tmp_path).path(name)


@pytest.mark.parametrize(
    ("secret", "ok"),
    [(KEY, True), ("a long passphrase of many words", True), ("short", False)],
)
def test_key_derivation(secret: str, ok: bool) -> None:
    if ok:
        assert len(derive_key(secret)) == 32
    else:
        with pytest.raises(ConfigError):
            derive_key(secret)
