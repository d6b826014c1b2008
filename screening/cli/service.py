"""``screening serve``, ``screening users`` and ``screening notify``: run the service, manage
its users, deliver the referral notifications."""

from __future__ import annotations

import click

from screening.cli.common import err, service_context
from screening.vocabulary import ROLES


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--demo", is_flag=True,
              help="A demonstration: on a store without users, create one demo user per role, "
                   "print their tokens on the terminal and store examples/ (make run passes "
                   "it). Never on a store with real users.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (each opens the store and loads the catalogue and the "
                   "active model once; put a reverse proxy in front, see the README).")
@click.option("--notify-every", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Run the referral notifier (as `screening notify`) every this many seconds "
                   "beside the service; 0: not at all.")
def serve(host: str, port: int, demo: bool, workers: int, notify_every: float) -> None:
    """Run the service (API at /api/v1, documentation at /docs, /healthz and /readyz) on the
    embedded SQLite store, or on PostgreSQL when SCREENING_DATABASE_URL says so, with the
    referral notifier beside it. Without --demo no user is created: add them with 'screening
    users add'. Logs are JSON lines on standard error, one access line per request with its
    request id."""
    import uvicorn

    from screening.cli.slow_clients import protocol_with_deadline  # uvicorn: only to serve
    from screening.service.demo import seed_demo

    services = service_context()
    if demo:
        tokens = seed_demo(services)
        for role, token in tokens.items():
            err.print(f"demo {role} token: {token}")
    status = services.models.status()
    if status.problem:
        err.print(f"[bold yellow]warning:[/] the active model {status.name!r} cannot be loaded; "
                  f"uploads are screened by the rules alone: {status.problem}")
    if notify_every:
        import threading

        from screening.service.notifier import run_forever

        threading.Thread(target=run_forever, args=(services, notify_every), daemon=True,
                         name="notifier").start()
    err.print(f"Serving on http://{host}:{port}/ (API documentation: http://{host}:{port}/docs)")
    # the app is composed by screening.app (above the shells), named here, not imported
    settings = services.settings
    uvicorn.run("screening.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning", access_log=False,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                http=protocol_with_deadline(settings.client_timeout_s), timeout_keep_alive=5,
                limit_concurrency=settings.max_connections,
                h11_max_incomplete_event_size=64 * 1024)


@click.group()
def users() -> None:
    """Manage the service's users and their API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
def users_add(name: str, role: str) -> None:
    """Create user NAME with a role and print its API token (shown only this once)."""
    from screening.store import create_user

    _, token = create_user(service_context().engine, name, role)
    err.print(f"Created {role} '{name}'. Its token is shown only now:")
    click.echo(token)


@click.command()
@click.option("--loop", is_flag=True, help="Keep running: one round every --every seconds.")
@click.option("--every", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between two rounds with --loop.")
def notify(loop: bool, every: float) -> None:
    """Deliver the referral notifications: write an event for each case that has become
    overdue, then send every event that is due by e-mail (SCREENING_SMTP_*,
    SCREENING_NOTIFY_EMAIL_TO) and/or to SCREENING_NOTIFY_WEBHOOK_URL, retrying failures with
    back-off. One round, or --loop. With nothing configured the events wait in the outbox
    (shown on the dashboard)."""
    from screening.service.notifier import run_once

    services = service_context()
    while True:
        result = run_once(services)
        err.print(f"{result.overdue_events} overdue event(s) written, {result.delivered} "
                  f"delivered, {result.failed} failed (retried later), {result.waiting} "
                  "waiting" + ("" if result.configured else
                               "; no e-mail or webhook configured: the events wait in the "
                               "outbox (see the dashboard)") + ".")
        if not loop:
            return
        import time

        time.sleep(every)


COMMANDS = (serve, users, notify)
