"""The one settings object. Every tunable comes from here, read from ``NAVIS_*`` environment variables.

Nothing reads the environment at import time: call :func:`get_settings` when a command or app starts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration for ingest limits, OCR, storage and the service edges."""

    model_config = SettingsConfigDict(env_prefix="NAVIS_", extra="ignore")

    data_dir: Path = Field(default=Path("navis-data"), description="Where SQLite, blobs and outputs live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in data_dir when unset.")
    redis_url: str | None = Field(default=None, description="Celery broker; in-process workers when unset.")
    blob_key: SecretStr | None = Field(default=None, description="Encrypts blobs at rest when set.")

    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=200, gt=0)
    max_image_pixels: int = Field(default=90_000_000, gt=0, description="Decompression-bomb guard per page.")
    ocr_dpi: int = Field(default=300, ge=100, le=600)
    ocr_workers: int = Field(default=0, ge=0, description="OCR processes; 0 means one per CPU core.")
    ocr_language: str = "eng"
    ocr_timeout_s: float = Field(default=120.0, gt=0)
    min_text_layer_chars: int = Field(default=40, ge=0, description="Fewer characters than this means 'scan'.")

    # the service (issue 4)
    job_max_attempts: int = Field(default=3, ge=1, description="Tries before a job ends 'failed'.")
    job_lease_s: float = Field(default=600.0, gt=0, description="A running job untouched this long is re-queued.")
    job_requeue_after_s: float = Field(default=60.0, gt=0, description="A queued job older than this is re-sent.")
    sweep_interval_s: float = Field(default=30.0, gt=0, description="How often lost jobs are looked for.")
    local_workers: int = Field(default=2, ge=1, description="In-process workers when no Redis is configured.")
    batch_chunk_size: int = Field(default=50, ge=1, description="Documents per reprocessing task.")
    live_chunk_size: int = Field(
        default=8, ge=1, description="Uploaded documents per task: small, so several workers share a burst."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process, when first needed."""
    return Settings()
