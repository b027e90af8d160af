"""LibreOffice, as the department opens and prints what planboard exports."""

import subprocess


def soffice(tmp_path, source, target):
    """Convert `source` with LibreOffice (a profile of its own in `tmp_path`) to `target`, e.g. "pdf"."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
