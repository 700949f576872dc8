"""`haechi backup` / `haechi restore` (issue 10): one verifiable archive of an instance.

The archive (tar.gz) holds `manifest.json`, a logical dump of every table (`db/<table>.jsonl`,
read in one snapshot transaction while the server keeps running; see adapters/sql/table_dump.py),
the media blobs (`blobs/`) and, only with `include_keys`, the private key files (`keys/`). The
manifest lists the SHA-256 of every other member and the row count of every table, so `verify`
detects a truncated or altered archive. `restore` refuses a non-empty database unless forced,
loads everything, checks the row counts and the audit chain, and rebuilds the matcher index from
the restored database.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from haechi import __version__
from haechi.adapters.sql import migrate, table_dump
from haechi.adapters.sql.engine import make_engine
from haechi.bootstrap import database
from haechi.config import Settings
from haechi.domain.errors import Conflict, InvalidInput

FORMAT = "haechi-backup/1"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    size_bytes: int
    seconds: float
    rows: int
    tables: int
    blobs: int
    includes_keys: bool


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    rows: int
    blobs: int
    audit_entries: int
    indexed: int
    seconds: float


def _key_files(settings: Settings) -> dict[str, Path]:
    return {
        "evidence-ed25519.pem": settings.evidence_key_path,
        "blocklist-ed25519.pem": settings.blocklist_key_path,
        "face-template.key": settings.face_template_key_path,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(settings: Settings, out: Path, *, include_keys: bool = False) -> BackupSummary:
    started = time.monotonic()
    engine = database.engine(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="haechi-backup-") as tmp:
            stage = Path(tmp)
            (stage / "db").mkdir()
            counts = table_dump.dump(engine, stage / "db")
            revision = table_dump.current_revision(engine)
            blobs = _copy_tree(settings.blob_dir, stage / "blobs")
            if include_keys:
                _copy_keys(settings, stage / "keys")
            manifest = _manifest(stage, counts, revision, engine.dialect.name, include_keys)
            (stage / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
            _pack(stage, out)
    finally:
        engine.dispose()
    return BackupSummary(
        out, out.stat().st_size, time.monotonic() - started, sum(counts.values()),
        len(counts), blobs, include_keys,
    )  # fmt: skip


def _copy_tree(source: Path, target: Path) -> int:
    target.mkdir(parents=True)
    if not source.is_dir():
        return 0
    n = 0
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            n += 1
    return n


def _copy_keys(settings: Settings, target: Path) -> None:
    target.mkdir()
    for name, path in _key_files(settings).items():
        if path.is_file():
            shutil.copy2(path, target / name)


def _manifest(
    stage: Path, counts: dict[str, int], revision: str | None, dialect: str, keys: bool
) -> dict[str, Any]:
    files = {str(p.relative_to(stage)): _sha256(p) for p in sorted(stage.rglob("*")) if p.is_file()}
    return {
        "format": FORMAT,
        "haechi_version": __version__,
        "created_at": time.time(),
        "schema_revision": revision,
        "source_database": dialect,
        "tables": counts,
        "files": files,
        "includes_keys": keys,
    }


def _pack(stage: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w:gz") as tar:
        tar.add(stage / MANIFEST, arcname=MANIFEST)
        for path in sorted(stage.rglob("*")):
            if path.is_file() and path.name != MANIFEST:
                tar.add(path, arcname=str(path.relative_to(stage)))
    partial.replace(out)  # never a half-written archive under the final name


def verify(archive: Path) -> dict[str, Any]:
    """Check every member's SHA-256 and every table's row count against the manifest."""
    with tempfile.TemporaryDirectory(prefix="haechi-verify-") as tmp:
        return _unpack_verified(archive, Path(tmp))


def _unpack_verified(archive: Path, stage: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(stage, filter="data")
        manifest: dict[str, Any] = json.loads((stage / MANIFEST).read_text())
    except (OSError, tarfile.TarError, ValueError) as e:
        raise InvalidInput(f"not a readable haechi backup: {e}") from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput(f"unknown backup format {manifest.get('format')!r}")
    files: dict[str, str] = manifest["files"]
    present = {str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(files):
        raise InvalidInput(
            f"backup members differ from its manifest: {sorted(present ^ set(files))[:5]}"
        )
    for name, digest in files.items():
        if _sha256(stage / name) != digest:
            raise InvalidInput(f"backup member {name} is corrupt (SHA-256 differs)")
    for table, count in manifest["tables"].items():
        with (stage / "db" / f"{table}.jsonl").open(encoding="utf-8") as rows:
            lines = sum(1 for _ in rows)
        if lines != count:
            raise InvalidInput(f"table {table}: {lines} rows in the backup, manifest says {count}")
    return manifest


def restore(settings: Settings, archive: Path, *, force: bool = False) -> RestoreSummary:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="haechi-restore-") as tmp:
        stage = Path(tmp)
        manifest = _unpack_verified(archive, stage)
        engine = database.engine(settings)
        try:
            migrate.upgrade(engine)
            _check_target(engine, manifest, force=force)
            loaded = table_dump.load(engine, stage / "db")
            if table_dump.row_counts(engine) != manifest["tables"] or loaded != manifest["tables"]:
                raise Conflict("restored row counts differ from the backup's manifest")
        finally:
            engine.dispose()
        blobs = _copy_tree_into(stage / "blobs", settings.blob_dir)
        _restore_keys(settings, stage / "keys", force=force)
    return _check_restored(settings, sum(loaded.values()), blobs, started)


def _check_target(engine: Any, manifest: dict[str, Any], *, force: bool) -> None:
    here = table_dump.current_revision(engine)
    if manifest["schema_revision"] != here:
        raise InvalidInput(
            f"the backup is at schema {manifest['schema_revision']}, this haechi at {here}: "
            "restore with the haechi version that made it, then upgrade"
        )
    seeded = _fresh_counts()
    extra = [t for t, n in table_dump.row_counts(engine).items() if n > seeded.get(t, 0)]
    if extra and not force:
        raise Conflict(
            f"the target database is not empty ({', '.join(extra[:5])}; "
            "use --force to replace its data)"
        )
    table_dump.clear(engine)  # the rows migrations seed come back from the backup


def _fresh_counts() -> dict[str, int]:
    """Rows the migrations themselves insert into a new database (they are not "data")."""
    with tempfile.TemporaryDirectory(prefix="haechi-fresh-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'fresh.db'}")
        try:
            migrate.upgrade(engine)
            return table_dump.row_counts(engine)
        finally:
            engine.dispose()


def _copy_tree_into(source: Path, target: Path) -> int:
    n = 0
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            n += 1
    return n


def _restore_keys(settings: Settings, source: Path, *, force: bool) -> None:
    for name, path in _key_files(settings).items():
        kept = source / name
        if kept.is_file() and (force or not path.exists()):
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kept, path)
            path.chmod(0o600)


def _check_restored(settings: Settings, rows: int, blobs: int, started: float) -> RestoreSummary:
    from haechi import bootstrap

    container = bootstrap.build(settings, migrate_db=False)
    try:
        chain = container.audit.verify()
        if not chain.ok:
            raise Conflict(f"the restored audit chain does not verify: {chain.problem}")
        container.matcher.load()  # from the database: a snapshot would predate the restore
        indexed = sum(s.size for s in container.matcher.status().values())
    finally:
        container.close()
    return RestoreSummary(rows, blobs, chain.entries, indexed, time.monotonic() - started)
