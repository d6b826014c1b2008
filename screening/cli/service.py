"""``screening serve``, ``screening users`` and ``screening notify``: run the service, manage
its users, deliver the referral notifications."""

from __future__ import annotations

import sys

import click

from screening.cli.common import err, service_context
from screening.errors import ScreeningError
from screening.vocabulary import ROLES


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--demo", is_flag=True,
              help="A demonstration: on a store without users, create one demo user per role, "
                   "print their names, passwords and API tokens on the terminal and store "
                   "examples/ (make run passes it). Never on a store with real users.")
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
    from screening.service.demo import seed_demo_accounts

    services = service_context()
    if demo:
        accounts = seed_demo_accounts(services)
        if accounts:
            err.print("Demo users (shown only now; sign in to the pages with the name and "
                      "password, call the API with the token):")
        for role, account in accounts.items():
            err.print(f"demo {role}: name {account.name}  password {account.password}")
            err.print(f"demo {role} token: {account.token}")
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
    """Manage the service's users, their passwords (for the web pages) and API tokens."""


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password of user ``name``: one line of standard input, or typed twice at a
    hidden prompt (asked again while it breaks a rule, saying which)."""
    from screening.store.passwords import MIN_LENGTH, check_password_rules

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        check_password_rules(name, password)
        return password

    def keeps_rules(value: str) -> str:
        try:
            check_password_rules(name, value)
        except ScreeningError as exc:
            raise click.BadParameter(str(exc)) from None
        return value

    return click.prompt(f"Password for '{name}' (at least {MIN_LENGTH} characters)",
                        hide_input=True, confirmation_prompt="Repeat the password",
                        value_proc=keeps_rules, err=True)


_PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of asking (for "
         "scripts: printf '%s\\n' \"$PASSWORD\" | screening users ...).")


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@_PASSWORD_STDIN
@click.option("--no-password", is_flag=True,
              help="No password: the user signs in with the API token only (a script).")
def users_add(name: str, role: str, password_stdin: bool, no_password: bool) -> None:
    """Create user NAME with a role and a password for the web pages (asked twice, hidden, at
    least 15 characters), and print its API token (shown only this once)."""
    from screening.store import create_user

    if no_password and password_stdin:
        raise click.UsageError("Give --password-stdin or --no-password, not both.")
    engine = service_context().engine  # a bad setting stops here, before a password is asked
    password = None if no_password else _read_password(name, password_stdin)
    _, token = create_user(engine, name, role, password=password)
    how = "without a password" if no_password else "with a password for the pages"
    err.print(f"Created {role} '{name}' {how}. Its API token is shown only now:")
    click.echo(token)


@users.command("password")
@click.argument("name")
@_PASSWORD_STDIN
def users_password(name: str, password_stdin: bool) -> None:
    """Set or reset the web password of user NAME (asked twice, hidden); the user's open web
    sessions end at once. Their API tokens are unchanged."""
    from screening.store.passwords import set_password

    engine = service_context().engine
    password = _read_password(name, password_stdin)
    ended = set_password(engine, name, password)
    err.print(f"Password set for '{name}'; {ended} open web session(s) ended.")


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
