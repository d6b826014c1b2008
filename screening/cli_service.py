"""``screening serve`` and ``screening users``: run the service and manage its users."""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli import _fail, err, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--seed/--no-seed", default=True, show_default=True,
              help="On first start, store examples/ and create demo users.")
def serve(host: str, port: int, seed: bool) -> None:
    """Run the service (API at /api/v1, documentation at /docs) on the embedded SQLite store,
    or on PostgreSQL when SCREENING_DATABASE_URL says so."""
    import uvicorn

    from screening.api import ServiceSettings, create_app

    settings = ServiceSettings.from_env()
    app = create_app(settings)
    if seed:
        tokens = seed_demo(app)
        for role, token in tokens.items():
            err.print(f"demo {role} token: {token}")
    err.print(f"Serving on http://{host}:{port}/ (API documentation: http://{host}:{port}/docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def seed_demo(app) -> dict[str, str]:  # noqa: ANN001
    """On an empty store: demo users (one per role) and the examples uploaded; their tokens.

    On a store that has users already, nothing is stored and no token is shown again.
    """
    from sqlalchemy import func, select

    from screening.loaders import load_upload
    from screening.pipeline import screen_frames
    from screening.store import create_user, store_upload
    from screening.store.engine import transaction
    from screening.store.tables import User

    engine = app.state.services.engine
    with transaction(engine, write=False) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return {}
    tokens, users = {}, {}
    for role in ("inspector", "monitor", "analyst", "admin"):
        users[role], tokens[role] = create_user(engine, f"demo-{role}", role)
    examples = Path(__file__).resolve().parents[1] / "examples"
    visits, interviews = examples / "visits.csv", examples / "interviews.csv"
    if visits.exists():
        loaded = load_upload(visits, interviews)
        from screening.api.routes import _model

        screening = screen_frames(loaded.visits, loaded.interviews,
                                  model=_model(app.state.services), rejected=loaded.rejected)
        store_upload(engine, user=users["inspector"], file_name=visits.name,
                     content=visits.read_bytes() + interviews.read_bytes(), loaded=loaded,
                     screening=screening)
    return tokens


@main.group()
def users() -> None:
    """Manage the service's users and their API tokens."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["inspector", "monitor", "analyst", "admin"]),
              required=True)
def users_add(name: str, role: str) -> None:
    """Create user NAME with a role and print its API token (shown only this once)."""
    from screening.api import ServiceSettings
    from screening.store import StoreError, create_user, migrate

    settings = ServiceSettings.from_env()
    Path(settings.store.data_dir).mkdir(parents=True, exist_ok=True)
    engine = migrate(settings.store)
    try:
        _, token = create_user(engine, name, role)
    except StoreError as exc:
        _fail(str(exc))
    err.print(f"Created {role} '{name}'. Its token is shown only now:")
    click.echo(token)
