"""Fail on known vulnerabilities in the locked Python dependencies.

Runs pip-audit over exactly the pinned sets in requirements/*.lock (no resolution, no pip),
ignoring only the vulnerabilities accepted, with a reason, in .ci/pip-audit-allow.toml.

pip-audit reports "No known vulnerabilities found" and exits 0 even when it could not ask
its vulnerability service about a package (a PyPI mirror that answers the project JSON but
404s the per-version JSON it queries makes it skip every package). So this wrapper reads
pip-audit's JSON report and counts what was really audited, and says so in a closing line.
A known vulnerability that is not in the allow-list always fails. An audit that could not
reach its service, or covered only part of the locks, fails only where the audit is
required (PIP_AUDIT_REQUIRED=true, for a CI that can reach the service): the CI machine
of this project reaches only the package registries' indexes, where pip-audit's services
do not answer, and a check that no change can make pass would only stop every landing.

Another vulnerability service: PIP_AUDIT_VULNERABILITY_SERVICE=osv scripts/audit_deps.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = [ROOT / "requirements" / "base.lock", ROOT / "requirements" / "test.lock"]
ALLOW_LIST = ROOT / ".ci" / "pip-audit-allow.toml"
REVIEW_AFTER_DAYS = 180
# What pip-audit prints when it cannot reach its service (its own error, or a requests /
# urllib3 exception it lets through as a traceback).
_UNREACHABLE = re.compile(
    r"network may be blocking|ConnectionError|ConnectTimeout|ReadTimeout|NameResolutionError"
    r"|Max retries exceeded|SSLError|ServiceError"
)


def audit_required() -> bool:
    return os.environ.get("PIP_AUDIT_REQUIRED", "").strip().lower() in {"1", "true", "yes"}


def locked_packages() -> set[str]:
    names = set()
    for lock in LOCKS:
        for line in lock.read_text().splitlines():
            if "==" in line and not line.lstrip().startswith("#"):
                names.add(canonical(line.split("==", 1)[0]))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def read_allow_list(packages: set[str]) -> list[str]:
    """The accepted vulnerability ids; exits on a malformed entry."""
    entries = tomllib.loads(ALLOW_LIST.read_text()).get("accept", [])
    problems, ids = [], []
    today = dt.date.today()
    for n, entry in enumerate(entries, start=1):
        where = f"{ALLOW_LIST.relative_to(ROOT)} entry {n}"
        for key in ("id", "package", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                problems.append(f"{where}: '{key}' is missing or empty")
        reviewed = entry.get("reviewed")
        if not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime):
            problems.append(f"{where}: 'reviewed' must be a date such as 2026-11-23 (unquoted)")
        elif (today - reviewed).days > REVIEW_AFTER_DAYS:
            warn(f"{where} ({entry.get('id')}) was last reviewed on {reviewed}: review it again")
        if isinstance(entry.get("package"), str) and canonical(entry["package"]) not in packages:
            warn(f"{where}: {entry['package']} is not in the locks any more; drop the entry")
        if isinstance(entry.get("id"), str):
            ids.append(entry["id"].strip())
    if problems:
        sys.exit("pip-audit allow-list is invalid:\n  " + "\n  ".join(problems))
    return ids


def warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr)


def run_pip_audit(ignore: list[str], report: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip"]
    for lock in LOCKS:
        command += ["--requirement", str(lock)]
    command += ["--format", "json", "--aliases", "on", "--desc", "off", "--output", str(report)]
    command += ["--progress-spinner", "off"]
    for vuln_id in ignore:
        command += ["--ignore-vuln", vuln_id]
    # (--no-deps makes pip-audit suggest hashed requirements on every run: not news here)
    env = {**os.environ, "PIP_AUDIT_LOGLEVEL": os.environ.get("PIP_AUDIT_LOGLEVEL", "ERROR")}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603


def cannot_audit(message: str) -> int:
    if audit_required():
        print(
            f"FAILED: {message}\nThe audit is required (PIP_AUDIT_REQUIRED=true).", file=sys.stderr
        )
        return 1
    warn(
        f"{message}\nNOT AUDITED: the locks were not checked for known vulnerabilities. "
        "Set PIP_AUDIT_REQUIRED=true where the vulnerability service is reachable."
    )
    return 0


def main() -> int:
    packages = locked_packages()
    ignore = read_allow_list(packages)
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "pip-audit.json"
        result = run_pip_audit(ignore, report_path)
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    if report is None:
        detail = result.stderr.strip().splitlines()[-1:] or ["(no output)"]
        if result.returncode and _UNREACHABLE.search(result.stderr):
            return cannot_audit(f"the vulnerability service could not be reached: {detail[0]}")
        print(result.stderr, file=sys.stderr)
        print("FAILED: pip-audit did not produce a report.", file=sys.stderr)
        return 1

    dependencies = report["dependencies"]
    found = [(d, v) for d in dependencies for v in d.get("vulns", [])]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dep, vuln in found:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
        aliases = ", ".join(vuln.get("aliases", []))
        print(
            f"VULNERABLE: {dep['name']} {dep['version']}: {vuln['id']}"
            + (f" ({aliases})" if aliases else "")
            + f"; fixed in: {fixes}",
            file=sys.stderr,
        )
    audited = len(dependencies) - len(skipped)
    print(
        f"pip-audit: {audited} of {len(dependencies)} locked packages audited, "
        f"{len(found)} known vulnerabilities, {len(ignore)} accepted in the allow-list"
    )
    if found:
        print(
            "FAILED: upgrade within the ranges in pyproject.toml and regenerate the lock, or "
            f"accept each one with a reason in {ALLOW_LIST.relative_to(ROOT)}.",
            file=sys.stderr,
        )
        return 1
    if skipped:
        names = ", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        return cannot_audit(
            f"{len(skipped)} of {len(dependencies)} locked packages could not be audited "
            f"({names}{more}): {skipped[0]['skip_reason']}. With the default service that "
            "means https://pypi.org/pypi/<name>/<version>/json answered 404, as a PyPI proxy "
            "or mirror that serves only the simple index and project JSON does; let that URL "
            "through or choose another service (PIP_AUDIT_VULNERABILITY_SERVICE=osv)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
