"""The Celery app. Created bare at import (no settings, no connection); :func:`configure` points it at Redis.

Delivery is at-least-once and made safe by the database: messages are acknowledged only after the task ran
(``acks_late``), a task whose worker died is given back (``task_reject_on_worker_lost``), and each worker takes
one message at a time so a crash loses at most the one in hand. Redis re-delivers an unacknowledged message after
``visibility_timeout``, which must exceed the longest task (OCR of a long scan), hence a multiple of the job lease.
"""

from __future__ import annotations

from typing import Any

from celery import Celery  # type: ignore[import-untyped]

from navis.settings import Settings

LIVE_QUEUE = "navis.live"  # uploads: a person is waiting
BATCH_QUEUE = "navis.batch"  # reprocessing: throttled behind live work

app: Any = Celery("navis", set_as_current=False, include=["worker.tasks"])
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,  # the jobs table holds every outcome
    worker_prefetch_multiplier=1,
    task_default_queue=LIVE_QUEUE,
    task_serializer="json",
    accept_content=["json"],
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_channel_error_retry=True,
)


def configure(settings: Settings) -> Any:
    """Point the app at ``settings.redis_url`` with a visibility timeout longer than any job's lease."""
    if not settings.redis_url:
        raise ValueError("NAVIS_REDIS_URL is not set")
    visibility = max(2 * settings.job_lease_s, settings.job_lease_s + 60)
    app.conf.update(
        broker_url=settings.redis_url,
        broker_transport_options={"visibility_timeout": visibility, "queue_order_strategy": "priority"},
    )
    return app
