"""Settings, read once from the environment (prefix HAECHI_) and handed to bootstrap.

Settings refuse unsafe combinations outside development: a production instance must not run on the
demo token, nor allow URL fetches to private networks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAECHI_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/haechi.db"
    host: str = "127.0.0.1"
    port: int = 8000

    # Access: HMA clients send no credentials by default; haechi requires a bearer token for
    # writes unless `open_access` is set (development convenience, refused in production).
    open_access: bool = True
    api_tokens: list[str] = Field(default_factory=list)

    # Hashing / upload limits
    max_upload_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 50_000_000

    # URL fetching (SSRF guard)
    fetch_timeout_s: float = 15.0
    fetch_max_bytes: int = 50 * 1024 * 1024
    fetch_allow_private: bool = False
    fetch_allowed_hosts: list[str] = Field(default_factory=list)

    # Matching
    index_refresh_s: float = 0.25
    index_stale_after_s: float = 65.0
    index_snapshot_dir: Path | None = None
    record_match_events: bool = True

    # Cases: media uploaded with reports (stored by SHA-256, served only to authorised reviewers)
    blob_dir: Path = Path("var/blobs")

    # Webhooks: signing secrets are derived from this key (never stored); see domain/webhooks.py
    webhook_secret_key: str | None = None
    webhook_deliver_interval_s: float = 2.0
    webhook_timeout_s: float = 10.0
    webhook_max_attempts: int = Field(12, ge=1, le=50)

    # E-mail (SMTP): pages platforms' agents for emergency law-enforcement requests; off without
    # a host (webhooks still go)
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = "haechi@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0

    # Hotline threads and evidence packages (issue 4)
    hotline_reply_hours: float = Field(24.0, gt=0, le=24 * 30)
    hotline_mail_domain: str = "hotline.localhost"
    hotline_smtp_host: str = "127.0.0.1"
    hotline_smtp_port: int = Field(2525, ge=1, le=65535)
    evidence_key_path: Path = Path("var/evidence-ed25519.pem")

    # Public victim page: abuse controls per source (client address; IPv6 per /64)
    public_reports_per_hour: int = Field(5, ge=1)
    public_pictures_per_day: int = Field(100, ge=1)
    public_checks_per_hour: int = Field(20, ge=1)
    public_bulk_pictures_per_day: int = Field(20, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.open_access:
                raise ValueError("open_access must be false in production")
            if not self.api_tokens:
                raise ValueError("production needs at least one api token (HAECHI_API_TOKENS)")
            if self.fetch_allow_private:
                raise ValueError("fetch_allow_private is refused in production")
            if len(self.webhook_secret_key or "") < 32:
                raise ValueError("production needs HAECHI_WEBHOOK_SECRET_KEY (32+ characters)")
        return self
