"""The package's rooms and the direction of their imports (pyproject's import-linter contracts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([lint], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_storage_loads_no_scrapy_and_no_html_parser():
    loaded = _modules_loaded_by("import drmcrawl.storage")
    assert not loaded & {"scrapy", "twisted", "parsel", "lxml"}


def test_extraction_loads_no_scrapy():
    loaded = _modules_loaded_by("import drmcrawl.extract")
    assert not loaded & {"scrapy", "twisted"}
