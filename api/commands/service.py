"""``navis serve``, ``navis worker`` and ``navis reprocess``: the service's processes.

The service's modules are imported when a command runs, so that other ``navis`` commands start quickly.

``navis serve`` with no configuration runs everything in one process (API, SQLite, blob folder, a worker pool);
with ``NAVIS_REDIS_URL`` set the slow steps go to ``navis worker`` processes instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from datetime import datetime
from typing import Annotated

import typer

from api.exit_codes import CONFIG, exit_code_for
from navis.errors import NavisError
from navis.settings import get_settings

log = logging.getLogger("navis")


def register(app: typer.Typer) -> None:
    """Add the service commands to ``app``."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("reprocess")(reprocess)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes (each with its own pool when no Redis).")] = 1,
) -> None:
    """Run the HTTP API (and, without NAVIS_REDIS_URL, the workers too)."""
    import uvicorn

    from api.app import create_app
    from store.store import open_store

    _logging()
    settings = get_settings()
    mode = "Celery workers on Redis" if settings.redis_url else "an in-process worker pool"
    typer.echo(f"Navis Records on http://{host}:{port} (API docs at /docs); data in {settings.data_dir}; {mode}")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_config=None)
        return
    open_store(settings).close()  # migrate once, before the processes race to do it
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        timeout_worker_healthcheck=60,  # a process still importing the NLP stack must not be taken for dead
    )


def worker(
    concurrency: Annotated[int, typer.Option(help="Processes working on jobs.")] = 2,
    queues: Annotated[
        str, typer.Option(help="Queues to take work from, live uploads first.")
    ] = "navis.live,navis.batch",
) -> None:
    """Run a Celery worker (needs NAVIS_REDIS_URL), with a sweeper that resends jobs whose message was lost."""
    from store.store import open_store
    from worker import sweeper_process
    from worker.celery_app import configure
    from worker.runner import warm_up

    _logging()
    settings = get_settings()
    if not settings.redis_url:
        typer.echo("navis worker needs NAVIS_REDIS_URL; without it `navis serve` runs the workers itself", err=True)
        raise typer.Exit(CONFIG)
    open_store(settings).close()  # migrate once, before the workers start
    warm_up()  # load the NLP pipeline once here, so the forked workers share it instead of each loading it
    sweeper = multiprocessing.get_context("spawn").Process(
        target=sweeper_process.run, args=(os.getpid(),), name="navis-sweeper", daemon=True
    )
    sweeper.start()
    app = configure(settings)
    app.worker_main(
        ["worker", f"--concurrency={concurrency}", f"--queues={queues}", "--loglevel=INFO", "-P", "prefork"]
    )


def reprocess(
    *,
    everything: Annotated[bool, typer.Option("--all", help="Every stored document.")] = False,
    rules_version_not: Annotated[
        str | None, typer.Option("--rules-version-not", help="Documents processed with another rules version.")
    ] = None,
    since: Annotated[datetime | None, typer.Option(help="Documents stored at or after this time.")] = None,
    until: Annotated[datetime | None, typer.Option(help="Documents stored before this time.")] = None,
    clinic: Annotated[str | None, typer.Option(help="Documents of this clinic's patients (client id).")] = None,
    kb_version_not: Annotated[
        str | None, typer.Option("--kb-version-not", help="Patients whose guidance used another KB version.")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait and show progress (always, without NAVIS_REDIS_URL).")] = False,
) -> None:
    """Process stored documents again, e.g. after the rules improved; prints the batch id and a change summary."""
    from store.store import open_store
    from worker.batches import ReprocessFilter, batch_status, start_batch
    from worker.dispatch import make_dispatcher

    _logging()
    settings = get_settings()
    store = open_store(settings)
    dispatcher = make_dispatcher(store, settings)
    wanted = ReprocessFilter(
        all=everything,
        rules_version_not=rules_version_not,
        since=since,
        until=until,
        clinic_id=clinic,
        kb_version_not=kb_version_not,
    )
    try:
        batch_id = start_batch(store, dispatcher, wanted, actor_id="cli")
        typer.echo(f"batch {batch_id}")
        while wait or not settings.redis_url:
            status = batch_status(store, batch_id)
            assert status is not None
            typer.echo(f"{status.total - status.pending}/{status.total} done, {status.failed} failed")
            if status.pending == 0:
                typer.echo(
                    f"findings added {status.findings_added}, changed {status.findings_changed}, "
                    f"removed {status.findings_removed}; documents changed {status.documents_changed}; "
                    f"guidance changed for {status.guidance_changed} patients"
                )
                break
            time.sleep(1.0)
    except NavisError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(exit_code_for(exc)) from exc
    finally:
        dispatcher.close()
        store.close()
