"""What the use-cases need, created once per process: settings, the store, the compiled
catalogue, the rule engines and the active model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from screening.rules.catalogue import Catalogue, load_catalogue
from screening.rules.engine import RuleEngine, rule_engine
from screening.service.models import ActiveModel
from screening.service.signin import SignInGuard
from screening.settings import Settings, load_settings
from screening.store import create_engine_for, migrate


@dataclass
class Services:
    """The service's shared parts (built by :func:`open_services`; tests inject their own)."""

    settings: Settings
    engine: Engine
    catalogue: Catalogue
    models: ActiveModel
    signed_in: dict = field(default_factory=dict)  # token hash -> when its sign-in was audited
    cache: dict = field(default_factory=dict)  # results kept until the store changes (drift)
    sign_ins: SignInGuard | None = None  # failed sign-ins, limited (made from the settings)

    def __post_init__(self) -> None:
        if self.sign_ins is None:
            self.sign_ins = SignInGuard(self.settings.sign_in_limit_account,
                                        self.settings.sign_in_limit_address)

    def rules(self, lang: str = "en") -> RuleEngine:
        """The rule engine in ``lang`` over the bundled catalogue, compiled once per process."""
        return rule_engine(lang)


def open_services(settings: Settings | None = None, *, engine: Engine | None = None) -> Services:
    """Open the store (migrated to the latest schema) and load the catalogue once.

    Parameters
    ----------
    settings : Settings, optional
        Default: the settings of the environment.
    engine : sqlalchemy.Engine, optional
        An existing store (tests); otherwise one is created from the settings.
    """
    settings = settings or load_settings()
    if engine is None:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        engine = create_engine_for(settings)
    migrate(engine)
    catalogue = load_catalogue()
    return Services(settings, engine, catalogue, ActiveModel(settings, engine, catalogue))


__all__ = ["Services", "open_services"]
