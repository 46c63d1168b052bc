"""Real Celery workers on a real Redis over PostgreSQL: uploads complete, and faults lose nothing.

Each test runs ``navis serve`` and ``navis worker`` as separate processes, the way a deployment does, on its
own database, Redis db number and ports. Fault tests kill processes with SIGKILL and check the jobs table.
"""

from __future__ import annotations

import base64
import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from PIL import Image
from sqlalchemy import func, select

from navis.settings import Settings
from store import clients, staging
from store.db import transaction
from store.models import Document, Finding, Job
from store.store import Store, open_store
from tests.integration.conftest import Process, free_port, service_env, wait_for, wait_http
from worker.batches import ReprocessFilter, batch_status, start_batch
from worker.celery_app import LIVE_QUEUE
from worker.dispatch import CeleryDispatcher

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

PARAGRAPH = (
    "SPECIMEN {i}: Left breast, core biopsy. DIAGNOSIS: Invasive ductal carcinoma, Nottingham grade 2. "
    "Estrogen receptor: positive, 95% of tumor cells. Progesterone receptor: positive, 40%. "
    "HER2 by IHC: 1+ (negative). Ki-67: 20%. pT2 pN0 (0/3).\n\n"
)


def report(paragraphs: int = 1, seed: int = 0) -> bytes:
    """A synthetic pathology report; more paragraphs take proportionally longer to process."""
    return "".join(PARAGRAPH.format(i=seed * 1000 + i) for i in range(paragraphs)).encode()


class Service:
    """The processes and store of one test's deployment."""

    def __init__(self, tmp_path: Path, database_url: str, redis_url: str, start: Callable[..., Process]) -> None:
        self.tmp_path, self.start = tmp_path, start
        self.env = service_env(tmp_path / "data", database_url, redis_url)
        self.settings = Settings(
            data_dir=tmp_path / "data", database_url=database_url, redis_url=redis_url, job_lease_s=6
        )
        self.store = open_store(self.settings)
        self.port = free_port()
        self.workers: list[Process] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self) -> Process:
        process = self.start(["serve", "--port", str(self.port)], self.env, self.tmp_path / "api.log")
        wait_http(f"{self.url}/healthz")
        return process

    def worker(self, concurrency: int = 2) -> Process:
        process = self.start(["worker", f"--concurrency={concurrency}"], self.env, self.tmp_path / "worker.log")
        self.workers.append(process)
        return process

    def patient(self) -> dict[str, str]:
        with transaction(self.store.sessions) as session:
            made = clients.create_client(session, "patient", "test patient")
        return {"Authorization": f"Bearer {made.token}"}

    def upload(self, headers: dict[str, str], *documents: bytes) -> list[str]:
        files = [("files", (f"report-{i}", data)) for i, data in enumerate(documents)]
        answer = httpx.post(f"{self.url}/v1/documents", files=files, headers=headers, timeout=30)
        assert answer.status_code == 202, answer.text
        return [job["id"] for job in answer.json()["jobs"]]

    def statuses(self, job_ids: list[str]) -> list[str]:
        with self.store.sessions() as session:
            found = dict(session.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids))).tuples().all())
        return [found[job_id] for job_id in job_ids]

    def wait_settled(self, job_ids: list[str], timeout: float) -> list[str]:
        wait_for(lambda: all(s in ("done", "failed") for s in self.statuses(job_ids)), timeout, "jobs to settle")
        return self.statuses(job_ids)

    def job(self, job_id: str) -> Job:
        with self.store.sessions() as session:
            return session.get_one(Job, job_id)


@pytest.fixture
def service(tmp_path: Path, postgres_url: str, redis_url: str, processes: Callable[..., Process]) -> Iterator[Service]:
    made = Service(tmp_path, postgres_url, redis_url, processes)
    yield made
    for process in made.workers:
        process.stop()
    made.store.close()


def _duplicate_findings(store: Store) -> int:
    with store.sessions() as session:
        total = session.execute(select(func.count()).select_from(Finding)).scalar_one()
        distinct = session.execute(
            select(func.count()).select_from(
                select(Finding.document_id, Finding.field, Finding.value, Finding.specimen, Finding.assertion)
                .distinct()
                .subquery()
            )
        ).scalar_one()
    return total - distinct


def test_uploads_are_processed_by_celery_workers(service: Service) -> None:
    service.api()
    service.worker()
    headers = service.patient()
    scan = (ROOT / "samples" / "her2-low-scan.png").read_bytes()  # OCR inside a (daemonic) prefork worker
    job_ids = service.upload(headers, *(report(1, seed) for seed in range(6)), scan)
    assert service.wait_settled(job_ids, timeout=120) == ["done"] * 7
    answer = httpx.get(f"{service.url}/v1/jobs/{job_ids[0]}", headers=headers).json()
    assert (answer["status"], answer["stage"], answer["progress"], answer["error"]) == ("done", "done", 1.0, None)
    profile = httpx.get(f"{service.url}/v1/me/profile", headers=headers).json()
    assert {"er_status", "her2_ihc"} <= {f["field"] for f in profile["findings"]}
    assert _duplicate_findings(service.store) == 0


def test_worker_killed_mid_document_the_job_still_completes_once(service: Service) -> None:
    service.api()
    first = service.worker(concurrency=1)
    # Long enough (about 1.5 s here) that the kill lands mid-document: 30 paragraphs now take 40 ms, done before a poll.
    [job_id] = service.upload(service.patient(), report(1000))
    wait_for(lambda: service.job(job_id).stage == "analyzing", 60, "the worker to start on the document")
    first.kill(signal.SIGKILL)
    assert service.job(job_id).status == "running"
    service.worker(concurrency=1)
    assert service.wait_settled([job_id], timeout=120) == ["done"]
    assert service.job(job_id).attempts == 2
    assert _duplicate_findings(service.store) == 0


def test_api_killed_right_after_202_the_file_is_kept_and_processed(service: Service) -> None:
    api = service.api()
    [job_id] = service.upload(service.patient(), report(1))
    api.kill(signal.SIGKILL)
    job = service.job(job_id)
    assert job.status == "queued"
    with service.store.sessions() as session:
        document = session.get_one(Document, job.document_id)
    assert staging.read(service.store, document.sha256) == report(1)  # staged in the database with its rows
    service.worker()
    assert service.wait_settled([job_id], timeout=90) == ["done"]
    assert service.store.blobs.get(document.sha256) == report(1)  # the worker moved it to the blob store


def test_a_poisoned_document_fails_with_its_reason_and_others_complete(service: Service) -> None:
    service.api()
    service.worker()
    headers = service.patient()
    # A PNG whose header is sound passes the upload checks; its pixel data ends halfway, which only decoding finds.
    whole = io.BytesIO()
    Image.new("L", (800, 600), 255).save(whole, format="PNG")
    truncated_png = whole.getvalue()[: len(whole.getvalue()) // 2]
    good, poisoned, other = service.upload(headers, report(1), truncated_png, report(1, 7))
    assert service.wait_settled([good, poisoned, other], timeout=90) == ["done", "failed", "done"]
    failed = httpx.get(f"{service.url}/v1/jobs/{poisoned}", headers=headers).json()
    assert failed["error"]["code"] == "corrupt"
    assert "could not be decoded" in failed["error"]["message"]


def test_redis_restarted_during_a_batch_no_job_is_lost(
    tmp_path: Path, postgres_url: str, processes: Callable[..., Process]
) -> None:
    port = free_port()
    redis_args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis_log = (tmp_path / "redis.log").open("ab")
    redis_server = subprocess.Popen(redis_args, stdout=redis_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: _ping(port), 10, "our Redis")
        service = Service(tmp_path, postgres_url, f"redis://127.0.0.1:{port}/0", processes)
        headers_store = service.store
        with transaction(headers_store.sessions) as session:
            made = clients.create_client(session, "patient", "batch patient")
        assert made.patient_id
        _store_documents(service, made.patient_id, 40)
        service.worker()
        batch_id = start_batch(service.store, CeleryDispatcher(service.settings), ReprocessFilter(all=True), "test")
        wait_for(lambda: _batch_done(service, batch_id) >= 3, 90, "the batch to start")
        redis_server.kill()
        redis_server.wait(timeout=10)
        time.sleep(1)
        redis_server = subprocess.Popen(redis_args, stdout=redis_log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: _ping(port), 10, "Redis to come back")
        wait_for(lambda: _batch_done(service, batch_id) == 40, 150, "every document of the batch")
        status = batch_status(service.store, batch_id)
        assert status is not None
        assert (status.done, status.failed, status.pending, status.status) == (40, 0, 0, "done")
        assert _duplicate_findings(service.store) == 0
        for process in service.workers:
            process.stop()
        service.store.close()
    finally:
        redis_server.kill()
        redis_server.wait(timeout=10)
        redis_log.close()


def _ping(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _batch_done(service: Service, batch_id: str) -> int:
    status = batch_status(service.store, batch_id)
    return 0 if status is None else status.done


def _store_documents(service: Service, patient_id: str, count: int) -> None:
    from store import jobs

    with transaction(service.store.sessions) as session:
        for i in range(count):
            data = report(1, 100 + i)
            sha = service.store.blobs.put(data)
            _doc, job = jobs.add_document(
                session, patient_id=patient_id, name=f"r{i}.txt", media_type="text/plain", sha256=sha, size=len(data)
            )
            job.status, job.stage = "done", "done"  # stored earlier and processed: the batch reprocesses them


def _share_in_a_new_worker_process(redis_url: str, jobs: int) -> list[str]:
    # A fresh interpreter, as a worker process is: its Celery app has no broker connection yet.
    script = (
        "import json\n"
        "from navis.settings import Settings\n"
        "from worker.celery_app import configure, LIVE_QUEUE\n"
        "from worker import tasks\n"
        f"configure(Settings(redis_url={redis_url!r}))\n"
        f"print(json.dumps(tasks._share([f'job-{{i}}' for i in range({jobs})], LIVE_QUEUE, 8)))\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    kept: list[str] = json.loads(ran.stdout)
    return kept


def test_a_hand_over_bigger_than_a_chunk_is_shared_out_by_the_worker_that_takes_it(redis_url: str) -> None:
    job_ids = [f"job-{i}" for i in range(20)]
    assert _share_in_a_new_worker_process(redis_url, 20) == job_ids[:7]
    queued = redis.Redis.from_url(redis_url).lrange(LIVE_QUEUE, 0, -1)
    shared = sorted(json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0] for raw in queued)
    assert shared == sorted([job_ids[7:14], job_ids[14:]])


def test_a_worker_that_cannot_share_a_hand_over_runs_it_all() -> None:
    away = f"redis://127.0.0.1:{free_port()}/0"
    assert _share_in_a_new_worker_process(away, 20) == [f"job-{i}" for i in range(20)]
