"""Generate generated/tatum_client from openapi/customer.yaml, or check that it is up to date.

    python tools/generate.py            # write generated/tatum_client
    python tools/generate.py --check    # regenerate into a temporary directory and diff; exit 1 on drift

The package is openapi-python-client's output (with the custom templates of templates/; post-hooks: the pinned
ruff), plus two files it does not write: `py.typed`, and `openapi.json`, the spec itself, which the handwritten
layer reads for credit costs and constraints and the sandbox serves from. Output depends only on the spec, the config and the pinned tools:
no timestamps, caches or absolute paths, whatever the working directory.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "customer.yaml"
CONFIG = ROOT / "generator_config.yaml"
TEMPLATES = ROOT / "templates"
TARGET = ROOT / "generated" / "tatum_client"
IGNORED = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def generate(out: Path, spec_path: Path = SPEC) -> None:
    """Write the whole package generated from `spec_path` into `out`, replacing whatever was there."""
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [
        os.path.join(bin_dir, "openapi-python-client"),
        "generate",
        "--path", str(spec_path),
        "--config", str(CONFIG),
        "--custom-template-path", str(TEMPLATES),
        "--meta", "none",
        "--output-path", str(out),
        "--fail-on-warning",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=out.parent, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"openapi-python-client failed (exit {result.returncode})")
    (out / "py.typed").write_text("")
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    (out / "openapi.json").write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by relative path, skipping caches."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not IGNORED.intersection(path.relative_to(root).parts)
    }


def diff(committed: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    """A unified diff, committed -> freshly generated, of every file that differs."""
    lines: list[str] = []
    for name in sorted(committed.keys() | fresh.keys()):
        old, new = committed.get(name), fresh.get(name)
        if old == new:
            continue
        if old is None:
            lines.append(f"new file, not committed: generated/tatum_client/{name}\n")
        elif new is None:
            lines.append(f"stray file, not generated: generated/tatum_client/{name}\n")
        lines.extend(
            difflib.unified_diff(
                (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
                (new or b"").decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"generated/tatum_client/{name}" if old is not None else "/dev/null",
                tofile=f"regenerated/tatum_client/{name}" if new is not None else "/dev/null",
            )
        )
    return lines


def check(target: Path = TARGET) -> int:
    """Regenerate into a temporary directory; print the diff and return 1 if `target` differs."""
    with tempfile.TemporaryDirectory(prefix="tatum-generate-") as tmp:
        fresh_dir = Path(tmp) / "tatum_client"
        generate(fresh_dir)
        lines = diff(tree(target) if target.exists() else {}, tree(fresh_dir))
    if not lines:
        print("generated/tatum_client is up to date with openapi/customer.yaml and generator_config.yaml")
        return 0
    sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
    print("\ngenerated/ is stale: run `make generate` and commit the result.", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="diff against a fresh generation instead of writing"
    )
    args = parser.parse_args()
    if args.check:
        return check()
    generate(TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
