"""Prometheus metrics of one app: request counts and latencies by route, and jobs by status at scrape time.

Each app has its own registry, so several apps in one process (tests) do not collide. Labels are route
templates and statuses, never ids or anything a patient sent.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from store.models import Document, Job, StagedBlob
from store.store import Store


class Metrics:
    """The app's registry and the instruments the middleware updates."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "navis_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "navis_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

    def watch_store(self, store: Store) -> None:
        """Report job and document counts from the database at each scrape."""
        self.registry.register(_StoreCollector(store))


class _StoreCollector(Collector):
    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("navis_jobs", "Jobs by kind and status", labels=["kind", "status"])
        documents = GaugeMetricFamily("navis_documents", "Stored documents by status", labels=["status"])
        staged = GaugeMetricFamily(
            "navis_staged_uploads", "Uploads held in the database, not yet moved to the blob store by a worker"
        )
        with self._store.sessions() as session:
            for kind, status, count in session.execute(
                select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
            ):
                jobs.add_metric([kind, status], count)
            for status, count in session.execute(select(Document.status, func.count()).group_by(Document.status)):
                documents.add_metric([status], count)
            staged.add_metric([], session.execute(select(func.count()).select_from(StagedBlob)).scalar_one())
        yield jobs
        yield documents
        yield staged
