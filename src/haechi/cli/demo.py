"""`haechi demo load`: a small demo bank of benign public photos (scikit-image's sample data).

The demo never contains abusive material of any kind: it exists so a fresh instance has something
to match against (e.g. upload the astronaut photo, or a resized copy, to /m/lookup).
"""

from __future__ import annotations

import io
import json

import typer

from haechi.bootstrap import Container
from haechi.cli.demo_cases import load_reports
from haechi.cli.demo_rooms import load_rooms
from haechi.cli.main import container
from haechi.domain.errors import Conflict
from haechi.domain.tenancy import parse_roles
from haechi.services.ports import NewContent

app = typer.Typer(help="Demo data (benign images only).")
DEMO_BANK = "DEMO_BENIGN"
DEMO_IMAGES = (
    "astronaut",
    "camera",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "horse",
)


def demo_images() -> dict[str, bytes]:
    """PNG bytes of scikit-image's bundled public-domain sample photos."""
    try:
        import skimage.data
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise typer.BadParameter("demo data needs scikit-image: pip install 'haechi[demo]'") from e
    out: dict[str, bytes] = {}
    for name in DEMO_IMAGES:
        loader = getattr(skimage.data, name, None)
        if loader is None:
            continue
        buf = io.BytesIO()
        Image.fromarray(loader()).save(buf, format="PNG")
        out[name] = buf.getvalue()
    return out


DEMO_PASSWORD = "demo-password-1234"  # noqa: S105 - printed demo credential, development only
DEMO_ORGS = (
    ("KCSC", "regulator", "Asia/Seoul"),
    ("Seoul Victim Support Centre", "victim_support", "Asia/Seoul"),
    ("KNPA Cyber Bureau", "police", "Asia/Seoul"),
    ("Telegram", "platform", "UTC"),
)
DEMO_USERS = (
    ("analyst@kcsc.demo", "KCSC", ["analyst", "moderator"]),
    ("auditor@kcsc.demo", "KCSC", ["auditor"]),
    ("admin@kcsc.demo", "KCSC", ["admin"]),
    ("counsellor@support.demo", "Seoul Victim Support Centre", ["analyst"]),
    ("investigator@police.demo", "KNPA Cyber Bureau", ["investigator"]),
    ("agent@telegram.demo", "Telegram", ["platform_agent"]),
)


def load_tenants(c: Container) -> list[str]:
    """Demo organisations and users (development only); returns the emails created."""
    if c.settings.environment == "production":
        raise typer.BadParameter("demo accounts are refused in production")
    existing = {o.name for o in c.auth.orgs()}
    for name, kind, tz in DEMO_ORGS:
        if name not in existing:
            c.auth.create_org(name, kind, tz)
    created = []
    for email, org, roles in DEMO_USERS:
        try:
            c.auth.create_user(
                org=org, email=email, password=DEMO_PASSWORD, roles=parse_roles(roles)
            )
            created.append(email)
        except Conflict:
            continue
    return created


@app.command("load")
def load() -> None:
    """Create the DEMO_BENIGN bank, demo organisations, users and reports (idempotent)."""
    with container() as c:
        users = load_tenants(c)
        if users:
            typer.echo(json.dumps({"demo_users": users, "password": DEMO_PASSWORD}))
        if DEMO_BANK not in {b.name for b in c.banks.list_banks()}:
            c.banks.create_bank(DEMO_BANK, description="benign sample photos for trying haechi out")
        if c.banks.page_content(DEMO_BANK, limit=1).total:
            typer.echo(json.dumps({"bank": DEMO_BANK, "loaded": 0, "note": "already loaded"}))
        else:
            typer.echo(json.dumps({"bank": DEMO_BANK, "loaded": load_bank(c)}))
        if reports := load_reports(c, demo_images):
            typer.echo(json.dumps({"demo_reports": reports}))
        if rooms := load_rooms(c, demo_images):
            typer.echo(json.dumps({"demo_rooms": rooms}))


def load_bank(c: Container) -> int:
    loaded = 0
    for name, data in demo_images().items():
        result = c.hashing.hash_bytes(data, content_type="photo")
        item = NewContent(
            signals=result.values(),
            qualities={k: v.quality for k, v in result.hashes.items()},
            note=f"skimage.data.{name}",
            metadata={"content_id": name},
            source="demo",
        )
        c.banks.add_content(DEMO_BANK, item)
        loaded += 1
    return loaded
