"""The active model: which version screens new uploads, loaded once, its status reported.

The choice is kept in the store (``service_settings``), so every process of the service
agrees; until an admin chooses, ``SCREENING_ACTIVE_MODEL`` names it. A model that cannot be
loaded is never silent: :meth:`ActiveModel.get` returns the reason beside ``None``, which the
upload receipt, ``/api/v1/models``, the model page and the log all show.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from screening.errors import ModelError, ScreeningError
from screening.rules.catalogue import Catalogue
from screening.settings import Settings
from screening.store import audit, transaction
from screening.store.tables import ServiceSetting, User, utcnow

if TYPE_CHECKING:
    from screening.model.classifier import TrainedModel

ACTIVE_MODEL_KEY = "active_model"
log = logging.getLogger("screening.service")


@dataclass(frozen=True)
class ModelStatus:
    """What screens new uploads now.

    Attributes
    ----------
    name : str
        The active model version; ``""`` for the rules alone.
    loaded : bool
        The model is loaded and screens uploads.
    problem : str or None
        Why it is not, when a model is set but cannot be used.
    """

    name: str
    loaded: bool
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the API's ``active_status``)."""
        return {"name": self.name, "loaded": self.loaded, "problem": self.problem}


class ActiveModel:
    """Loads, caches and reports the active model of the service (thread-safe)."""

    def __init__(self, settings: Settings, store: Engine, catalogue: Catalogue) -> None:
        self.settings, self.store, self.catalogue = settings, store, catalogue
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[TrainedModel | None, str | None]] = {}

    def chosen(self) -> str:
        """The active model's name: the store's choice, else ``SCREENING_ACTIVE_MODEL``."""
        with transaction(self.store, write=False) as session:
            row = session.get(ServiceSetting, ACTIVE_MODEL_KEY)
            return row.value if row is not None else self.settings.active_model

    def get(self) -> tuple[TrainedModel | None, ModelStatus]:
        """The active model (None for the rules alone or when it cannot load) and its status."""
        name = self.chosen()
        if not name:
            return None, ModelStatus("", loaded=False)
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self._load(name)
            model, problem = self._cache[name]
        return model, ModelStatus(name, loaded=model is not None, problem=problem)

    def status(self) -> ModelStatus:
        """The status alone (loads the model if it was not yet)."""
        return self.get()[1]

    def _load(self, name: str) -> tuple[TrainedModel | None, str | None]:
        from screening.model.versions import load

        try:
            return load(name, self.catalogue, base=self.settings.models_dir), None
        except ScreeningError as exc:
            log.error("The active model %r cannot be loaded; uploads are screened by the rules "
                      "alone: %s", name, exc)
            return None, str(exc)

    def choose(self, name: str, user: User | int | None) -> None:
        """Make ``name`` (``""``: the rules alone) the active model for every process.

        Raises
        ------
        ModelError
            ``name`` is not a model version in the models folder.
        """
        from screening.model.versions import list_models

        if name:
            table = list_models(self.settings.models_dir)
            known = set(table["version"]) if not table.empty else set()
            if name not in known:
                raise ModelError(f"There is no model version '{name}' in the models folder "
                                 f"(versions: {', '.join(sorted(known)) or 'none'}).")
        with transaction(self.store) as session:
            row = session.get(ServiceSetting, ACTIVE_MODEL_KEY)
            user_id = user.id if isinstance(user, User) else user
            if row is None:
                session.add(ServiceSetting(key=ACTIVE_MODEL_KEY, value=name, updated_by=user_id))
            else:
                row.value, row.updated_at, row.updated_by = name, utcnow(), user_id
            audit(session, user, "model.activate", "model", name or None)
        with self._lock:
            self._cache.pop(name, None)  # a replaced folder is read again

    def forget(self) -> None:
        """Drop the loaded models (the next use loads them again)."""
        with self._lock:
            self._cache.clear()


def stored_choice(store: Engine) -> str | None:
    """The active model chosen in the store, if one was (None: the setting applies)."""
    with transaction(store, write=False) as session:
        return session.scalar(select(ServiceSetting.value)
                              .where(ServiceSetting.key == ACTIVE_MODEL_KEY))


__all__ = ["ACTIVE_MODEL_KEY", "ActiveModel", "ModelStatus", "stored_choice"]
