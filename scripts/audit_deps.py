"""Dependency audit for CI: pip-audit over the installed environment (issue 10).

Fails (exit 1) on any known vulnerability in an installed package unless its ID is listed in
`.ci/pip-audit-ignore` with a justification. When pip-audit cannot reach its vulnerability service
(offline CI, or a package mirror that does not serve PyPI's JSON API), nothing was audited: that
is said loudly and the build goes on (exit 0), since no verdict is possible either way; set
HAECHI_AUDIT_STRICT=1 to fail instead.

Usage: .venv/bin/python scripts/audit_deps.py   (HAECHI_AUDIT_SERVICE=pypi|osv, default pypi)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = ROOT / ".ci" / "pip-audit-ignore"


def ignored() -> dict[str, str]:
    """`ID  reason` per line; an ID without a reason is refused (every exception is justified)."""
    found: dict[str, str] = {}
    if not IGNORE.exists():
        return found
    for number, raw in enumerate(IGNORE.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{IGNORE}:{number}: {vuln_id} needs a justification after the ID")
        found[vuln_id] = reason.strip()
    return found


def run_audit(service: str) -> tuple[int, dict[str, object] | None, str]:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    cmd = [str(pip_audit), "--skip-editable", "--progress-spinner", "off", "-f", "json"]
    cmd += ["--vulnerability-service", service]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    try:
        return done.returncode, json.loads(done.stdout), done.stderr
    except json.JSONDecodeError:
        return done.returncode, None, done.stderr


def main() -> int:
    service = os.environ.get("HAECHI_AUDIT_SERVICE", "pypi")
    strict = os.environ.get("HAECHI_AUDIT_STRICT") == "1"
    allowed = ignored()
    code, report, stderr = run_audit(service)
    deps = list(report["dependencies"]) if report else []  # type: ignore[call-overload]
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        last = stderr.strip().splitlines()[-1:] or ["no output"]
        print(
            f"DEPENDENCY AUDIT NOT DONE: pip-audit could not reach its vulnerability service "
            f"({service}); {len(deps)} packages unaudited. Last message: {last[0][:300]}"
        )
        return 1 if strict else 0
    problems = []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & allowed.keys():
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            problems.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    skipped = len(deps) - len(audited)
    print(f"dependency audit ({service}): {len(audited)} packages audited, {skipped} skipped")
    for line in problems:
        print(f"  VULNERABLE {line}")
    if code not in (0, 1):
        print(stderr[-2000:])
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
