"""`haechi exchange …`: threatexchange CLI dataset files in and out of a bank, grants, sources,
and one synchronous poll (a source that cannot be reached fails with its reason, recorded)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haechi.cli.main import app
from tests.db_plugin import database_url

runner = CliRunner()
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"

#: as `threatexchange dataset -P --csv` prints it
TE_CSV = f"""signal_type,signal_str,collab,category,tags\r
pdq,{PDQ},Sample Data,POSITIVE_CLASS,ncii deepfake\r
video_md5,{MD5},Sample Data,INVESTIGATION_SEED,\r
pdq,{"0" * 64},Sample Data,NEGATIVE_CLASS,\r
"""


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAECHI_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("HAECHI_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("HAECHI_EVIDENCE_KEY_PATH", str(tmp_path / "key.pem"))
    monkeypatch.setenv("HAECHI_ENVIRONMENT", "test")


def run(*args: str, code: int = 0) -> list[dict[str, object]]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_threatexchange_csv_imports_and_both_formats_export(tmp_path: Path) -> None:
    run("bank", "create", "TE_BANK")
    source = tmp_path / "collab.csv"
    source.write_text(TE_CSV)
    [report] = run("exchange", "import-te", str(source), "TE_BANK")
    assert report == {"rows": 2, "added": 2, "skipped_duplicates": 0}  # NEGATIVE_CLASS left out
    assert run("exchange", "import-te", str(source), "TE_BANK")[0]["added"] == 0  # idempotent

    result = runner.invoke(app, ["exchange", "export-te", "TE_BANK"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["signal_type"], r["signal_str"]) for r in rows} >= {("pdq", PDQ), ("video_md5", MD5)}
    assert {r["collab"] for r in rows} == {"TE_BANK"}

    simple = tmp_path / "simple.txt"
    run("exchange", "export-te", "TE_BANK", "--format", "simple", "-o", str(simple))
    lines = set(simple.read_text().splitlines())
    assert {f"pdq {PDQ}", f"video_md5 {MD5}"} <= lines
    # the simple format reads back (into another bank) the same
    run("bank", "create", "ROUND_TRIP")
    assert run("exchange", "import-te", str(simple), "ROUND_TRIP", "--format", "simple")[0][
        "added"
    ] == len(rows)


def test_a_bad_dataset_is_rejected_whole(tmp_path: Path) -> None:
    run("bank", "create", "TE_BANK")
    bad = tmp_path / "bad.txt"
    bad.write_text(f"pdq {PDQ}\npdq not-a-hash\nraw_text hello\n")
    result = runner.invoke(
        app, ["exchange", "import-te", str(bad), "TE_BANK", "--format", "simple"]
    )
    assert result.exit_code != 0
    assert "nothing written" in result.output
    assert "line 2" in result.output and "line 3" in result.output


def test_grant_subscribe_and_a_failing_poll_is_recorded(tmp_path: Path) -> None:
    run("org", "create", "KCSC", "--kind", "regulator")
    run("org", "create", "PlatformB", "--kind", "platform")
    run("bank", "create", "NATIONAL")
    [grant] = run("exchange", "grant", "PlatformB", "NATIONAL", "--org", "KCSC", "--region", "KR")
    assert grant["bank"] == "NATIONAL"
    run(
        "exchange", "add", "peer", "--org", "PlatformB", "--bank", "NATIONAL",
        "--url", "http://127.0.0.1:9", "--trust", "auto", "--token-env", "PEER_TOKEN",
    )  # fmt: skip
    result = runner.invoke(app, ["exchange", "poll", "peer"])
    assert result.exit_code != 0 and "PEER_TOKEN is not set" in result.output
    [listed] = run("exchange", "list", "--org", "PlatformB")
    assert listed["last_error"] == "environment variable PEER_TOKEN is not set"
