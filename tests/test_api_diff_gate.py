"""`make api-diff`, `make check-api` and `make generate`'s CHANGELOG entries, on real git repositories.

Each test works in a clone of a small repository made from this project's own files (spec, packages, tools,
Makefile), commits or edits there, and runs the project's tools in it as CI or a developer would: the
tools' imports come from the clone (PYTHONPATH), the Makefile's from this project's `.venv`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tatum
from api_diff import Report
from api_rules import Change

ROOT = Path(__file__).resolve().parent.parent

COPIED = ("openapi", "customizations", "generated", "templates", "tools", "docs")
COPIED_FILES = ("Makefile", "pyproject.toml", "generator_config.yaml", "CHANGELOG.md", ".gitignore")
CUSTOMER_PROPERTIES = "    Customer:\n      type: object\n      required: [id, externalId, active, enabled]\n      properties:\n"
ACTIVATE_CREDITS = "      operationId: activateCustomer\n      tags: [Customer]\n      summary: Activate customer\n      description: Activated customer is able to do any operation.\n      x-tatum-credits: 2\n"
CREDITS_LINE = "- **breaking** `activate_customer`: 2 -> 3 credits. Each call costs more"
FIELD_LINE = (
    "- **compatible** `Customer.loyaltyTier` (response field): added (string, optional). The model gains"
)
PYTHON_LINE = (
    "- **compatible** `tatum_client.models.customer.Customer.loyalty_tier`: added (attribute `str | Unset`"
)


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


def environment(repo: Path) -> dict[str, str]:
    """The clone's packages before the editable install of this project's own."""
    paths = os.pathsep.join(str(repo / directory) for directory in ("customizations", "generated"))
    return {**os.environ, "PYTHONPATH": paths, "GIT_CONFIG_NOSYSTEM": "1"}


def tool(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(repo / "tools" / "api_diff.py"), *args]
    return subprocess.run(
        command, cwd=repo, env=environment(repo), capture_output=True, text=True, timeout=120
    )


def make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`make` in the clone, on this project's .venv, which it must never rebuild (`-o` the stamp)."""
    venv = ROOT / ".venv"
    command = ["make", "-s", "-C", str(repo), *args, f"VENV={venv}", "-o", str(venv / ".installed")]
    return subprocess.run(command, env=environment(repo), capture_output=True, text=True, timeout=300)


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def raise_activate_credits(repo: Path) -> None:
    edit(
        repo, "openapi/customer.yaml", ACTIVATE_CREDITS, ACTIVATE_CREDITS.replace("credits: 2", "credits: 3")
    )


def add_loyalty_tier(repo: Path) -> None:
    new_property = "        loyaltyTier:\n          type: string\n"
    edit(repo, "openapi/customer.yaml", CUSTOMER_PROPERTIES, CUSTOMER_PROPERTIES + new_property)


def regenerate(repo: Path) -> None:
    command = [sys.executable, str(repo / "tools" / "generate.py")]
    subprocess.run(command, cwd=repo, env=environment(repo), check=True, capture_output=True, timeout=120)


def set_version(repo: Path, version: str) -> None:
    (repo / "customizations" / "tatum" / "_version.py").write_text(f'__version__ = "{version}"\n')


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def identify(repo: Path) -> None:
    git(repo, "config", "user.email", "tests@example.invalid")
    git(repo, "config", "user.name", "Tests")


def init(repo: Path) -> None:
    """An empty repository on main, ready to commit to."""
    git(repo, "init", "-q", "-b", "main")
    identify(repo)


def copy_project(repo: Path) -> None:
    """This project's spec, packages, tools and build files, copied into `repo` (caches left out)."""
    ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache")
    for directory in COPIED:
        shutil.copytree(ROOT / directory, repo / directory, ignore=ignore)
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, repo / name)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose main has one commit: this project's spec, packages and tools."""
    repo = tmp_path_factory.mktemp("origin")
    init(repo)
    copy_project(repo)
    commit(repo, "base")
    return repo


@pytest.fixture
def clone(origin: Path, tmp_path: Path) -> Iterator[Path]:
    """A full clone of `origin`, on main, ready to commit to."""
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    identify(repo)
    yield repo


def check_a_committed_breaking_change(clone: Path, version: str) -> subprocess.CompletedProcess[str]:
    """Commit a raised credit cost with `version`, and run check-api against the commit before."""
    raise_activate_credits(clone)
    set_version(clone, version)
    commit(clone, f"activate_customer costs 3 credits; version {version}")
    return tool(clone, "--check", "--base", "HEAD~1")


# The copied project keeps its own version; the tests bump from it.
CURRENT = tatum.__version__
_MAJOR, _MINOR, _PATCH = (int(part) for part in CURRENT.split("."))
NEXT_PATCH = f"{_MAJOR}.{_MINOR}.{_PATCH + 1}"
NEXT_MINOR = f"{_MAJOR}.{_MINOR + 1}.0"
NEXT_MAJOR = f"{_MAJOR + 1}.0.0"
NEEDED = NEXT_MINOR if _MAJOR == 0 else NEXT_MAJOR


@pytest.mark.parametrize("version", [CURRENT, NEXT_PATCH])
def test_check_api_fails_on_a_breaking_change_without_a_minor_bump(clone: Path, version: str) -> None:
    result = check_a_committed_breaking_change(clone, version)

    assert result.returncode == 1, result.stdout + result.stderr
    assert CREDITS_LINE in result.stdout
    assert (
        f"need version {NEEDED} or later (a minor bump while 0.x); the version is {version}" in result.stdout
    )
    assert f"check-api: breaking changes need version {NEEDED}" in result.stderr


@pytest.mark.parametrize("version", [NEXT_MINOR, NEXT_MAJOR])
def test_check_api_passes_a_breaking_change_with_the_bump(clone: Path, version: str) -> None:
    result = check_a_committed_breaking_change(clone, version)

    assert result.returncode == 0, result.stdout + result.stderr
    assert CREDITS_LINE in result.stdout
    assert f"Version {CURRENT} -> {version}: bumped as the breaking changes require." in result.stdout


def test_check_api_passes_a_compatible_change_without_a_bump(clone: Path) -> None:
    add_loyalty_tier(clone)
    regenerate(clone)
    commit(clone, "Customer.loyaltyTier")

    result = make(clone, "check-api", "BASE=HEAD~1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 changes: 0 breaking, 2 compatible. No breaking change" in result.stdout
    assert FIELD_LINE in result.stdout and PYTHON_LINE in result.stdout


def test_make_api_diff_on_a_branch_reports_the_working_tree_against_the_merge_base(clone: Path) -> None:
    """The issue's "done when", and the README's example report."""
    git(clone, "checkout", "-q", "-b", "feature")
    add_loyalty_tier(clone)
    raise_activate_credits(clone)
    regenerate(clone)  # not committed: the working tree is what is compared

    result = make(clone, "api-diff")

    assert result.returncode == 0, result.stdout + result.stderr
    base = git(clone, "rev-parse", "--short=7", "main").strip()
    assert f"## API changes: `{base}` (merge base with main) -> working tree" in result.stdout
    contract, python = result.stdout.split("### Contract\n", 1)[1].split("### Python API\n")
    assert CREDITS_LINE in contract and FIELD_LINE in contract
    assert PYTHON_LINE in python
    assert "3 changes: 1 breaking, 2 compatible." in result.stdout
    assert f"**The breaking changes need version {NEEDED} or later" in result.stdout
    gate = make(clone, "check-api")
    assert gate.returncode != 0 and f"check-api: breaking changes need version {NEEDED}" in gate.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("<!-- api-diff example -->\n```markdown\n", 1)[1].split("```", 1)[0]
    assert re.sub(r"`[0-9a-f]{7}`", "`BASE`", example) == re.sub(r"`[0-9a-f]{7}`", "`BASE`", result.stdout)


def test_make_generate_adds_the_report_to_the_changelog_once(clone: Path) -> None:
    git(clone, "checkout", "-q", "-b", "feature")
    add_loyalty_tier(clone)
    raise_activate_credits(clone)

    first = make(clone, "generate")
    after_first = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
    second = make(clone, "generate")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    unreleased = after_first.split("## Unreleased\n", 1)[1].split("\n## ", 1)[0]
    assert unreleased.index("### Contract") < unreleased.index(CREDITS_LINE) < unreleased.index(FIELD_LINE)
    assert unreleased.index(FIELD_LINE) < unreleased.index("### Python API") < unreleased.index(PYTHON_LINE)
    assert (clone / "CHANGELOG.md").read_text(encoding="utf-8") == after_first  # nothing added twice
    assert "## 0.1.0\n" in after_first.split("## Unreleased\n", 1)[1]  # released notes untouched
    changed = {line[3:] for line in git(clone, "status", "--porcelain").splitlines()}
    assert changed == {
        "CHANGELOG.md",
        "openapi/customer.yaml",
        "generated/tatum_client/models/customer.py",
        "generated/tatum_client/openapi.json",
        "docs/CustomerApi.md",
    }
    assert make(clone, "check-generated").returncode == 0  # the changelog is no part of that check


def test_generate_on_an_unchanged_tree_leaves_the_changelog_alone(clone: Path) -> None:
    result = make(clone, "generate")

    assert result.returncode == 0, result.stdout + result.stderr
    assert git(clone, "status", "--porcelain") == ""


def test_check_api_judges_a_breaking_change_against_the_last_release_not_the_last_commit(
    clone: Path,
) -> None:
    """A breaking change landed in one commit and followed by another is still caught (HEAD~1 misses it)."""
    raise_activate_credits(clone)
    commit(clone, "a breaking change, no bump")
    (clone / "docs" / "NOTE.md").write_text("an unrelated later commit\n")
    commit(clone, "unrelated")

    assert tool(clone, "--check", "--base", "HEAD~1").returncode == 0  # what a HEAD~1 gate would say
    result = make(clone, "check-api")

    assert result.returncode == 2, result.stdout + result.stderr  # make's code for a failed recipe
    assert f"check-api: breaking changes need version {NEEDED}" in result.stderr
    assert CREDITS_LINE in result.stdout


def test_check_api_accepts_a_bump_made_commits_before_the_breaking_change(clone: Path) -> None:
    base = git(clone, "rev-parse", "--short=7", "HEAD").strip()
    set_version(clone, NEXT_MINOR)
    commit(clone, f"begin {NEXT_MINOR}")
    raise_activate_credits(clone)
    commit(clone, "a breaking change, within the version already begun")

    result = tool(clone, "--check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"API changes: `{base}` (the last commit at version {CURRENT}) -> working tree" in result.stdout
    assert f"Version {CURRENT} -> {NEXT_MINOR}: bumped as the breaking changes require." in result.stdout


def test_check_api_follows_main_through_a_merge(clone: Path) -> None:
    base = git(clone, "rev-parse", "--short=7", "HEAD").strip()
    git(clone, "checkout", "-q", "-b", "feature")
    set_version(clone, NEXT_MINOR)
    commit(clone, "bump on the branch")
    raise_activate_credits(clone)
    commit(clone, "a breaking change on the branch")
    git(clone, "checkout", "-q", "main")
    (clone / "docs" / "NOTE.md").write_text("main moved on\n")
    commit(clone, "main moved on")
    git(clone, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")

    result = tool(clone, "--check")

    assert result.returncode == 0, result.stdout + result.stderr
    main_before = git(clone, "rev-parse", "--short=7", "HEAD^1").strip()
    assert main_before != base
    assert f"`{main_before}` (the last commit at version {CURRENT})" in result.stdout


def test_once_a_version_is_tagged_a_breaking_change_needs_the_next_one(clone: Path) -> None:
    set_version(clone, NEXT_MINOR)
    commit(clone, f"release {NEXT_MINOR}")
    git(clone, "tag", f"v{NEXT_MINOR}")
    raise_activate_credits(clone)
    commit(clone, "a breaking change after the release")

    result = tool(clone, "--check")

    following = f"{_MAJOR}.{_MINOR + 2}.0" if _MAJOR == 0 else f"{_MAJOR + 2}.0.0"
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"(v{NEXT_MINOR}, released)" in result.stdout
    assert f"check-api: breaking changes need version {following}" in result.stderr


def test_an_unreadable_version_file_in_an_old_commit_is_passed_over(clone: Path) -> None:
    """A `_version.py` history cannot change (a computed version, a symlink, a directory) must not break the
    gate: the walk skips what it cannot read and stops at the first earlier version."""
    version_file = clone / "customizations" / "tatum" / "_version.py"
    version_file.write_text('from importlib.metadata import version\n__version__ = version("tatum")\n')
    commit(clone, "a computed version")
    version_file.unlink()
    version_file.mkdir()
    (version_file / "x").write_text("a directory now\n")
    commit(clone, "the version file is a directory")
    shutil.rmtree(version_file)
    version_file.write_text('__version__: str = "0.0.9"\n')  # annotated, and older
    commit(clone, "0.0.9")
    at_009 = git(clone, "rev-parse", "--short=7", "HEAD").strip()
    set_version(clone, NEXT_MINOR)
    commit(clone, NEXT_MINOR)

    result = tool(clone, "--check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"`{at_009}` (the last commit at version 0.0.9)" in result.stdout


def test_the_same_version_written_shorter_is_the_same_version(clone: Path) -> None:
    short = ".".join(CURRENT.split(".")[:2]) if CURRENT.endswith(".0") else CURRENT
    set_version(clone, short)
    commit(clone, f"{short}, written without its patch number")
    raise_activate_credits(clone)
    commit(clone, "a breaking change")

    result = tool(clone, "--check")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "(the first commit at" in result.stdout  # not "the last commit at version {CURRENT}"


def test_without_an_earlier_version_the_base_is_the_first_commit_that_has_one(tmp_path: Path) -> None:
    repo = tmp_path / "late"
    repo.mkdir()
    init(repo)
    (repo / "README").write_text("before the package\n")
    commit(repo, "no package yet")
    copy_project(repo)
    commit(repo, "the package")
    first = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    raise_activate_credits(repo)
    commit(repo, "a breaking change")

    result = tool(repo, "--check")

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"`{first}` (the first commit at {CURRENT}, the first version)" in result.stdout
    assert CREDITS_LINE in result.stdout


def test_a_dated_release_without_its_tag_is_pointed_out(clone: Path) -> None:
    set_version(clone, NEXT_MINOR)
    changelog = clone / "CHANGELOG.md"
    changelog.write_text(changelog.read_text() + f"\n## {NEXT_MINOR} (2026-12-01)\n\n- released\n")
    commit(clone, f"release {NEXT_MINOR}")

    untagged = tool(clone, "--check")
    git(clone, "tag", f"v{NEXT_MINOR}")
    tagged = tool(clone, "--check")

    assert untagged.returncode == 0 and tagged.returncode == 0, untagged.stderr + tagged.stderr
    assert f"CHANGELOG.md dates {NEXT_MINOR} but there is no tag v{NEXT_MINOR}" in untagged.stderr
    assert "no tag" not in tagged.stderr
    assert f"(v{NEXT_MINOR}, released)" in tagged.stdout


def test_a_shallow_clone_says_so_and_passes(clone: Path, tmp_path: Path) -> None:
    raise_activate_credits(clone)
    commit(clone, "a breaking change, so that a full clone would fail check-api")
    repo = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{clone}", str(repo))

    for args in (["--check", "--base", "HEAD~1"], ["--check"], []):
        result = tool(repo, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "(this clone is shallow; `git fetch --unshallow` to compare)" in result.stdout
        assert "Nothing to compare" in result.stdout


def test_a_first_commit_or_no_repository_says_so_and_passes(origin: Path, tmp_path: Path) -> None:
    result = tool(origin, "--check", "--base", "HEAD~1")  # origin's main has a single commit
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "no base: HEAD~1 is not in this clone (the history is shorter). Nothing to compare: passing."
        in result.stdout
    )
    result = tool(origin, "--check")  # no earlier version: the first commit is the base
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"(the first commit at {CURRENT}, the first version) -> working tree" in result.stdout
    assert "No changes. No breaking change: no version bump needed." in result.stdout

    plain = tmp_path / "plain"
    shutil.copytree(origin, plain, ignore=shutil.ignore_patterns(".git"))
    result = tool(plain, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "api-diff: no base: not a git repository. Nothing to compare: passing." in result.stdout


def test_a_base_that_names_no_commit_is_a_usage_error(clone: Path) -> None:
    result = tool(clone, "--base", "mian")

    assert result.returncode == 2
    assert "mian is not a commit of this repository" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "needed"),
    [
        ("0.1.0", "0.1.0", "0.2.0"),
        ("0.1.3", "0.1.4", "0.2.0"),
        ("0.1.3", "0.2.0", None),
        ("0.9.0", "0.10.0", None),
        ("1.2.3", "1.3.0", "2.0.0"),
        ("1.2.3", "2.0.0", None),
    ],
)
def test_a_breaking_change_needs_a_minor_bump_in_0x_and_a_major_one_after(
    old: str, new: str, needed: str | None
) -> None:
    breaking = Change("Contract", "`activate_customer`", "2 -> 3 credits", "credits-raised")
    compatible = Change("Contract", "`update_customer`", "2 -> 1 credit", "credits-lowered")

    assert Report("base", [breaking, compatible], old, new).needed_version() == needed
    assert Report("base", [compatible], old, new).needed_version() is None
