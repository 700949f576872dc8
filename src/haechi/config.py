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
    # PostgreSQL connections per process (N replicas x workers x (pool + overflow) must stay
    # under the server's max_connections); SQLite ignores them
    database_pool_size: int = Field(10, ge=1, le=500)
    database_max_overflow: int = Field(20, ge=0, le=500)
    # SQLite durability (issue 10): FULL fsyncs each commit (survives power loss); NORMAL survives
    # a process crash only
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "FULL"
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

    # Background jobs (issue 6): embedded deployments run a worker thread inside the server;
    # a dedicated deployment sets jobs_in_process false and runs `haechi worker` processes
    jobs_in_process: bool = True
    jobs_concurrency: int = Field(2, ge=1, le=64)
    jobs_poll_s: float = Field(1.0, gt=0, le=60)
    jobs_lease_s: float = Field(60.0, ge=1, le=3600)
    jobs_backoff_base_s: float = Field(5.0, ge=0, le=3600)
    jobs_backoff_max_s: float = Field(3600.0, ge=0, le=7 * 86400)
    jobs_retention_days: float = Field(14.0, gt=0, le=3650)

    # Videos (issue 6): vPDQ hashing runs in background jobs; ffprobe checks every video against
    # these limits before it is decoded. Queued uploads wait in video_queue_dir (default
    # <blob_dir>/video-queue) and are deleted once hashed
    video_max_bytes: int = Field(200 * 1024 * 1024, ge=1)
    video_max_duration_s: float = Field(3 * 3600.0, gt=0)
    video_max_pixels: int = Field(3840 * 2160, ge=1)
    video_max_frames: int = Field(36_000, ge=1)
    video_seconds_per_hash: float = Field(1.0, gt=0, le=60)
    video_queue_dir: Path | None = None

    # Bulk scans (issue 6): `haechi scan`; Ray settings apply to `--engine ray` only
    scan_max_file_bytes: int = Field(500 * 1024 * 1024, ge=1)
    scan_batch_size: int = Field(64, ge=1, le=10_000)
    scan_workers: int = Field(2, ge=1, le=256)
    ray_address: str | None = None
    ray_num_cpus: int | None = Field(None, ge=1)
    ray_object_store_bytes: int = Field(256 * 1024 * 1024, ge=78 * 1024 * 1024)

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

    # Rooms, migrations, blocklists, notices by e-mail (issue 8). Extra invite-link patterns are
    # `platform=regex` with a (?P<key>...) group; blocklist exports are signed with their own key
    room_link_patterns: list[str] = Field(default_factory=list)
    blocklist_key_path: Path = Path("var/blocklist-ed25519.pem")
    blocklist_rpz_zone: str = "rpz.haechi.localhost"
    blocklist_rpz_ttl: int = Field(300, ge=30, le=86400)
    notice_mail_address: str = "notices@hotline.localhost"
    notice_smtp_host: str = "127.0.0.1"
    notice_smtp_port: int = Field(2526, ge=1, le=65535)

    # Detectors (issue 7; needs the `detectors` extra): signals that route reported media to
    # human review, never remove it. Built-ins to run; operator ONNX models (JSON descriptions)
    detectors_enabled: list[str] = Field(default_factory=lambda: ["nudity", "provenance"])
    detector_onnx_models: list[Path] = Field(default_factory=list)
    detection_batch_size: int = Field(8, ge=1, le=64)
    detector_threads: int | None = Field(None, ge=1, le=64)
    #: photo detectors score a reported video through at most this many sampled frames (one a
    #: second, spread evenly over a longer video), within the video_* limits above
    detector_video_max_frames: int = Field(32, ge=1, le=600)

    # Consented victim face matching (issue 7; needs the `faces` extra). Templates are sealed with
    # AES-256-GCM: the key is base64 of 32 bytes; outside production a key file is made under var/
    face_matching: bool = True
    face_template_key: str | None = None
    face_template_key_path: Path = Path("var/face-template.key")
    face_template_previous_keys: list[str] = Field(default_factory=list)
    face_match_threshold: float = Field(0.5, gt=0, le=0.6)

    # Federation and exchanges (issue 9): source tokens are sealed with a key derived from
    # exchange_secret_key (production: required to store tokens; or reference them by variable).
    # Due sources are queued for polling every exchange_schedule_s (0 turns scheduling off)
    exchange_secret_key: str | None = None
    exchange_flood_per_hour: int = Field(1000, ge=0)
    exchange_schedule_s: float = Field(5.0, ge=0)
    exchange_timeout_s: float = Field(30.0, gt=0, le=600)
    # hashes one API caller (token or user) may put live per hour through the bank and HMA
    # curation routes; above it they are held for review. None: no limit
    bank_write_flood_per_hour: int | None = Field(None, ge=0)

    # Public victim page: abuse controls per source (client address; IPv6 per /64)
    public_reports_per_hour: int = Field(5, ge=1)
    public_pictures_per_day: int = Field(100, ge=1)
    public_checks_per_hour: int = Field(20, ge=1)
    public_bulk_pictures_per_day: int = Field(20, ge=1)
    login_failures_per_hour: int = Field(10, ge=1)

    # Idempotency keys (issue 10): responses to POSTs with an Idempotency-Key are kept this long;
    # a retry while the first attempt is still running within idempotency_lock_s gets 409
    idempotency_ttl_s: float = Field(86400.0, ge=60, le=30 * 86400)
    idempotency_lock_s: float = Field(300.0, ge=1, le=86400)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.open_access:
                raise ValueError("open_access must be false in production")
            if not self.api_tokens:
                raise ValueError("production needs at least one api token (HAECHI_API_TOKENS)")
            if self.fetch_allow_private:
                raise ValueError("fetch_allow_private is refused in production")
            if any(len(token) < 32 for token in self.api_tokens):
                raise ValueError("production api tokens must be 32+ characters (weak token)")
            if len(self.webhook_secret_key or "") < 32:
                raise ValueError("production needs HAECHI_WEBHOOK_SECRET_KEY (32+ characters)")
            if not self.face_template_key:
                raise ValueError("production needs HAECHI_FACE_TEMPLATE_KEY (base64 of 32 bytes)")
        return self
