"""Alembic environment of the store: runs on the connection that :func:`migrate` passes in.

Importing this file outside Alembic (as pytest's doctest collection does) does nothing.
"""

from __future__ import annotations

from alembic import context

from screening.store.tables import Base


def run_migrations(config) -> None:  # noqa: ANN001
    """Run the migrations on the connection in ``config.attributes["connection"]``."""
    connection = config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise RuntimeError(
            "The store's migrations run only through screening.store.migrate(url), which "
            "passes a database connection; offline SQL generation is not supported."
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_config = getattr(context, "config", None)  # set only while Alembic runs this file
if _config is not None:
    run_migrations(_config)
