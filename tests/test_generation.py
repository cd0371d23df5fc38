"""The generation pipeline: deterministic, and a spec change shows up as a readable, confined diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import generate
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("fresh") / "tatum_client"
    generate.generate(out)
    tree: dict[str, bytes] = generate.tree(out)
    return tree


def test_committed_generated_tree_is_exactly_what_the_spec_produces(fresh: dict[str, bytes]) -> None:
    assert generate.diff(generate.tree(generate.TARGET), fresh) == []


def test_generation_writes_no_absolute_paths_or_caches(fresh: dict[str, bytes]) -> None:
    assert not [name for name in fresh if "cache" in name]
    assert not [name for name, content in fresh.items() if str(ROOT).encode() in content]


def test_a_new_customer_property_is_a_diff_confined_to_what_it_touches(
    fresh: dict[str, bytes], tmp_path: Path
) -> None:
    spec = (ROOT / "openapi" / "customer.yaml").read_text(encoding="utf-8")
    anchor = "    Customer:\n      type: object\n      required: [id, externalId, active, enabled]\n      properties:\n"
    assert anchor in spec
    changed = tmp_path / "customer.yaml"
    changed.write_text(spec.replace(anchor, anchor + "        loyaltyTier:\n          type: string\n"))
    out = tmp_path / "tatum_client"

    generate.generate(out, changed)
    lines = generate.diff(fresh, generate.tree(out))

    touched = {
        line[len("+++ regenerated/tatum_client/") :].strip() for line in lines if line.startswith("+++ ")
    }
    assert touched == {"models/customer.py", "openapi.json"}
    assert any(line.startswith("+") and "loyalty_tier" in line for line in lines)


def test_check_passes_on_the_committed_tree_and_fails_on_a_tampered_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate.check() == 0
    tampered = tmp_path / "tatum_client"
    shutil.copytree(generate.TARGET, tampered, ignore=shutil.ignore_patterns("__pycache__"))
    model = tampered / "models" / "customer.py"
    model.write_text(model.read_text().replace("external_id: str", "external_id: int"))
    (tampered / "stray.py").write_text("")
    capsys.readouterr()

    assert generate.check(tampered) == 1

    out = capsys.readouterr().out
    assert "-    external_id: int" in out and "+    external_id: str" in out
    assert "generated/tatum_client/stray.py" in out
