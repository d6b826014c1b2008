"""``screening serve`` and ``screening users``: run the service and manage its users."""

from __future__ import annotations

import click

from screening.cli.common import err, fail
from screening.cli.slow_clients import protocol_with_deadline
from screening.errors import ScreeningError
from screening.vocabulary import ROLES


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--demo", is_flag=True,
              help="A demonstration: on a store without users, create one demo user per role, "
                   "print their tokens on the terminal and store examples/ (make run passes "
                   "it). Never on a store with real users.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run the service (API at /api/v1, documentation at /docs) on the embedded SQLite store,
    or on PostgreSQL when SCREENING_DATABASE_URL says so. Without --demo no user is created:
    add them with 'screening users add'."""
    import uvicorn

    from screening.service import open_services
    from screening.service.demo import seed_demo
    from screening.settings import load_settings

    try:
        services = open_services(load_settings())
    except ScreeningError as exc:
        fail(str(exc))
    if demo:
        tokens = seed_demo(services)
        for role, token in tokens.items():
            err.print(f"demo {role} token: {token}")
    status = services.models.status()
    if status.problem:
        err.print(f"[bold yellow]warning:[/] the active model {status.name!r} cannot be loaded; "
                  f"uploads are screened by the rules alone: {status.problem}")
    err.print(f"Serving on http://{host}:{port}/ (API documentation: http://{host}:{port}/docs)")
    # the app is composed by screening.app (above the shells), named here, not imported
    settings = services.settings
    uvicorn.run("screening.app:create_app", factory=True, host=host, port=port,
                log_level="warning", http=protocol_with_deadline(settings.client_timeout_s),
                timeout_keep_alive=5, limit_concurrency=settings.max_connections,
                h11_max_incomplete_event_size=64 * 1024)


@click.group()
def users() -> None:
    """Manage the service's users and their API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
def users_add(name: str, role: str) -> None:
    """Create user NAME with a role and print its API token (shown only this once)."""
    from screening.service import open_services
    from screening.settings import load_settings
    from screening.store import create_user

    try:
        services = open_services(load_settings())
        _, token = create_user(services.engine, name, role)
    except ScreeningError as exc:
        fail(str(exc))
    err.print(f"Created {role} '{name}'. Its token is shown only now:")
    click.echo(token)


COMMANDS = (serve, users)
