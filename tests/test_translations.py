"""Every string shown to people exists in Japanese, and the catalogue is up to date.

The second test extracts the messages afresh (makemessages, in a copy of the source tree so
the repository is untouched) and fails when a string was added to the code but not to
locale/ja/LC_MESSAGES/django.po with a translation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|%[sd]")


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="ja")


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_message_has_a_japanese_translation_with_the_same_placeholders():
    catalog = _catalog(PO)
    missing, fuzzy, mismatched = [], [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strs):
            missing.append(ids[0])
        if message.fuzzy:
            fuzzy.append(ids[0])
        for s in strs:
            if s and sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(s)):
                mismatched.append(ids[0])
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"
    assert not mismatched, f"placeholders differ: {mismatched[:20]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_contains_every_string_of_the_code(tmp_path):
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv",
        "node_modules",
        "staticfiles",
        "media",
        "static",
        "*.mo",
        "__pycache__",
        "tests",
        "bench",
        "*.sqlite3",
    )
    work = tmp_path / "src"
    shutil.copytree(ROOT, work, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete", "-v0"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = _ids(_catalog(work / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    committed = _ids(_catalog(PO))
    assert not fresh - committed, (
        f"strings missing from django.po: {sorted(fresh - committed)[:30]}"
    )
