"""Django's deployment checklist passes for the production configuration (HTTPS behind a proxy)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path


def test_check_deploy_passes_with_https(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
        "NEEDLEWISE_DATA_DIR": str(tmp_path),
        "NEEDLEWISE_HTTPS": "1",
        "NEEDLEWISE_SECRET_KEY": secrets.token_urlsafe(50),
    }
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603 - fixed argv
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
