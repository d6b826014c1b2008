"""The one settings object: every ``SCREENING_*`` environment variable, declared once as data.

:class:`Settings` is a ``pydantic-settings`` model: each field is one variable (``data_dir`` is
``SCREENING_DATA_DIR``), with its default, its help and what it expects. A value that cannot be
used is refused when the settings are read, naming the variable and what it expects, instead of
failing later somewhere deep (:func:`load_settings`). The README's settings table is checked
against these fields by a test.

Examples
--------
>>> s = Settings.from_env({"SCREENING_DATA_DIR": "/srv/screening"})
>>> s.url
'sqlite:////srv/screening/screening.sqlite3'
>>> Settings.from_env({"SCREENING_DATABASE_URL": "postgresql://db/x"}).url
'postgresql+psycopg://db/x'
>>> Settings.from_env({"SCREENING_MAX_UPLOAD_MB": "50MB"})
Traceback (most recent call last):
...
screening.errors.SettingsError: SCREENING_MAX_UPLOAD_MB='50MB' cannot be used: expected the \
largest upload in megabytes, a number above 0 such as 50.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from screening.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout that holds ``screening/``, ``models/`` and ``examples/`` (for an installed
wheel: the folder that holds the ``screening`` package)."""
SHARED_DATA = Path(sys.prefix) / "share" / "forced-labour-screening"
"""Where an installed wheel puts ``models/default`` and ``examples/``."""
IN_CHECKOUT = (PROJECT_ROOT / "models").is_dir() or not SHARED_DATA.is_dir()
"""True when running from a checkout (``models/`` beside the package), False when installed."""
ASSETS = PROJECT_ROOT if IN_CHECKOUT else SHARED_DATA
EXAMPLES_DIR = ASSETS / "examples"
"""The sample upload that ``make run`` stores and the README uses."""
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" if IN_CHECKOUT else Path.cwd() / "data"
"""The data folder by default: ``data/`` of the checkout, or ``data/`` in the folder the service
starts in when installed (never inside site-packages)."""
PREFIX = "SCREENING_"
SQLITE_FILE = "screening.sqlite3"


def _field(default: Any, help: str, expects: str, **constraints: Any) -> Any:  # noqa: A002
    return Field(default, description=help, json_schema_extra={"expects": expects},
                 **constraints)


class Settings(BaseSettings):
    """The service's and the library's settings (environment variables ``SCREENING_*``).

    An empty variable takes the default, except ``SCREENING_ACTIVE_MODEL``, where empty means
    "no model: the rules alone".
    """

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    data_dir: Path = _field(DEFAULT_DATA_DIR,
                            "Data folder of the service; the embedded SQLite store is a file in "
                            "it.", "a folder path")
    database_url: str = _field("", "SQLAlchemy URL of the store (e.g. postgresql://user@host/db); "
                               "empty for the SQLite file screening.sqlite3 in the data folder.",
                               "a database URL such as postgresql://user@host/db, or nothing")
    max_upload_mb: float = _field(50.0, "Largest upload accepted, in megabytes; larger ones get "
                                  "413.", "the largest upload in megabytes, a number above 0 "
                                  "such as 50", gt=0, allow_inf_nan=False)
    max_rows: int = _field(1_000_000, "Most rows an uploaded table may have; more get 413.",
                           "a whole number above 0, such as 1000000", gt=0)
    max_columns: int = _field(200, "Most columns an uploaded table (or a JSON object) may have; "
                              "more get 422.", "a whole number above 0, such as 200", gt=0)
    max_cell_chars: int = _field(10_000, "Most characters in one uploaded cell; more get 422.",
                                 "a whole number above 0, such as 10000", gt=0)
    max_json_depth: int = _field(32, "Deepest nesting of an uploaded JSON document; deeper gets "
                                 "422.", "a whole number above 0, such as 32", gt=0)
    max_json_keys: int = _field(5_000_000, "Most keys in all the objects of an uploaded JSON "
                                "document; more get 413.", "a whole number above 0", gt=0)
    max_decompressed_mb: float = _field(200.0, "Most megabytes an XLSX or Parquet upload may "
                                        "unpack to (checked while unpacking); more get 413.",
                                        "megabytes, a number above 0 such as 200", gt=0,
                                        allow_inf_nan=False)
    client_timeout_s: float = _field(10.0, "Seconds a client has to send a request's headers; "
                                     "slower connections are closed.",
                                     "seconds, a number above 0 such as 10", gt=0,
                                     allow_inf_nan=False)
    max_connections: int = _field(200, "Most connections the server serves at once; more get "
                                  "503.", "a whole number above 0, such as 200", gt=0)
    parse_timeout_s: float = _field(120.0, "Seconds an upload may take to be read (in a worker "
                                    "process); longer gets 413.",
                                    "seconds, a number above 0 such as 120", gt=0,
                                    allow_inf_nan=False)
    parse_memory_mb: float = _field(2000.0, "Megabytes of memory the worker reading an upload "
                                    "may add; more gets 413.",
                                    "megabytes, a number above 0 such as 2000", gt=0,
                                    allow_inf_nan=False)
    active_model: str = _field("default", "Model version that screens new uploads until an "
                               "admin chooses another (empty: rules only).",
                               "a model version name, or nothing for the rules alone")
    models_dir: Path = _field(ASSETS / "models", "The models folder; models load only "
                              "from inside it.", "a folder path")
    drift_psi_warning: float = _field(0.25, "Population stability index of a model feature in a "
                                      "month from which the model page and the dashboard "
                                      "warn of drift.", "a number above 0 such as 0.25", gt=0)
    drift_unknown_warning: float = _field(0.2, "Rise in a feature's share of unknown values "
                                          "over the training data from which they warn.",
                                          "a share between 0 and 1 such as 0.2", gt=0, le=1)
    drift_min_visits: int = _field(50, "Fewest visits a month needs before its drift is "
                                   "judged.", "a whole number such as 50", ge=1)
    allowed_hosts: str = _field("localhost,127.0.0.1,[::1],testserver",
                                "Host names the service answers to, separated by commas (* for "
                                "any); a request naming another host gets 400, so no redirect "
                                "or link names a host the client chose (testserver: the "
                                "in-process test client).",
                                "host names separated by commas, such as "
                                "screening.example.org,localhost")
    sign_in_limit_account: str = _field(
        "10/5minutes", "Failed sign-ins allowed at one account (token prefix) in a moving window; "
        "past it, sign-ins there get 429 until the window moves on.",
        "a number of attempts per period, such as 10/5minutes or 20/hour",
        pattern=r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*$")
    sign_in_limit_address: str = _field(
        "30/5minutes", "Failed sign-ins allowed from one client address in a moving window; past "
        "it, sign-ins from there get 429 until the window moves on.",
        "a number of attempts per period, such as 30/5minutes or 100/hour",
        pattern=r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*$")
    external_data: Path | None = _field(None, "Folder of the public real-world data sets used "
                                        "for validation (default: ../shared/external-data "
                                        "beside the checkout).", "a folder path")

    referral_due_hours: float = _field(
        24.0, "Hours from the upload to a referral case's due time. Source: the national "
        "report asks for the immediate delivery of information on a probable victim to the "
        "special police department; Cabinet decision No. 21 (2008) asks for referral within 24 "
        "hours (a secondary source, unverified).", "a number of hours above 0 such as 24",
        gt=0, allow_inf_nan=False)
    clock_shift_hours: float = _field(
        0.0, "Test setting: the service's clock runs this many hours ahead of the real one "
        "(to see cases become overdue without waiting); 0 in production.",
        "a number of hours such as 0 or 25", allow_inf_nan=False)
    notify_webhook_url: str = _field(
        "", "URL that receives each referral event as a JSON POST (empty: no webhook).",
        "an http:// or https:// URL, or nothing")
    notify_email_to: str = _field(
        "", "E-mail addresses, comma-separated, that receive each referral event (empty: no "
        "e-mail).", "e-mail addresses separated by commas, or nothing")
    smtp_host: str = _field("", "SMTP server that sends the referral e-mails (empty: no "
                            "e-mail).", "a host name, or nothing")
    smtp_port: int = _field(25, "Port of the SMTP server.", "a port number 1..65535",
                            ge=1, le=65535)
    smtp_user: str = _field("", "SMTP user name (empty: no sign-in).", "a user name, or "
                            "nothing")
    smtp_password: str = _field("", "SMTP password.", "a password, or nothing")
    smtp_starttls: bool = _field(False, "Use STARTTLS with the SMTP server.", "true or false")
    smtp_from: str = _field("screening@localhost", "Sender address of the referral e-mails.",
                            "an e-mail address")
    notify_retry_seconds: float = _field(
        30.0, "First wait before a failed delivery is tried again; each further failure "
        "doubles it, up to an hour.", "a number of seconds above 0 such as 30",
        gt=0, allow_inf_nan=False)

    regions: str = _field(
        "azerbaijan", "The country's regions, one of which an upload's region must name "
        "(matched ignoring capitals and in other spellings, stored as the configured name; "
        "another is refused with the closest suggested): azerbaijan for Azerbaijan's 14 "
        "economic regions (Presidential Decree of 7 July 2021, built in), any for free text, or "
        "the path of a UTF-8 regions file (one region per line, see the README).",
        "azerbaijan, any, or the path of a readable regions file")

    @field_validator("regions")
    @classmethod
    def _regions_can_be_read(cls, value: str) -> str:
        if value.strip().lower() in ("azerbaijan", "any"):
            return value.strip().lower()
        if not Path(value).expanduser().is_file():
            raise ValueError("the regions file was not found")
        return value

    @model_validator(mode="before")
    @classmethod
    def _blank_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items()
                    if not (isinstance(v, str) and not v.strip() and k != "active_model")}
        return data

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of a field (``data_dir`` -> ``SCREENING_DATA_DIR``)."""
        return PREFIX + field.upper()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment).

        Raises
        ------
        SettingsError
            A variable's value cannot be used; the message names it and what it expects.
        """
        try:
            if environ is None:
                return cls()
            values = {name: environ[cls.env_name(name)] for name in cls.model_fields
                      if cls.env_name(name) in environ}
            return cls.model_validate(values)
        except ValidationError as exc:
            raise _settings_error(exc, os.environ if environ is None else environ) from None

    @property
    def url(self) -> str:
        """The database URL in use, with the psycopg driver for PostgreSQL."""
        if not self.database_url.strip():
            return f"sqlite:///{Path(self.data_dir) / SQLITE_FILE}"
        return normalise_url(self.database_url.strip())

    def now(self) -> dt.datetime:
        """The service's clock: the current UTC time plus ``clock_shift_hours``."""
        return dt.datetime.now(dt.UTC) + dt.timedelta(hours=self.clock_shift_hours)

    @property
    def hosts(self) -> list[str]:
        """The allowed host names as a list (:attr:`allowed_hosts` split at commas)."""
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()] or ["*"]

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated like the original)."""
        return type(self).model_validate({**self.model_dump(), **changes})


def _settings_error(exc: ValidationError, environ: Mapping[str, str]) -> SettingsError:
    sentences = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = Settings.model_fields.get(name)
        extra = field.json_schema_extra if field is not None else None
        expects = extra.get("expects") if isinstance(extra, dict) else error["msg"]
        variable = Settings.env_name(name)
        given = environ.get(variable, error.get("input"))
        sentences.append(f"{variable}={str(given)!r} cannot be used: expected {expects}.")
    return SettingsError(" ".join(sentences))


def normalise_url(url: Any) -> str:
    """Name the psycopg 3 driver for a plain ``postgresql://`` or ``postgres://`` URL.

    Examples
    --------
    >>> normalise_url("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_url("sqlite:///x.sqlite3")
    'sqlite:///x.sqlite3'
    """
    render = getattr(url, "render_as_string", None)
    text = render(hide_password=False) if render is not None else str(url)
    for plain in ("postgres://", "postgresql://"):
        if text.startswith(plain):
            return "postgresql+psycopg://" + text[len(plain):]
    return text


def load_settings() -> Settings:
    """The settings of this process, read from the environment (see :meth:`Settings.from_env`)."""
    return Settings.from_env()


__all__ = ["DEFAULT_DATA_DIR", "EXAMPLES_DIR", "IN_CHECKOUT", "PROJECT_ROOT", "SHARED_DATA",
           "Settings", "load_settings", "normalise_url"]
