"""What changed for the SDK's users between a git ref and the working tree, and whether it breaks them.

    python tools/api_diff.py [--base REF]              # `make api-diff`: print the report (Markdown)
    python tools/api_diff.py --check [--base REF]      # `make check-api`: exit 1 when a breaking change
                                                       #   comes without the version bump semver requires
    python tools/api_diff.py --changelog [--base REF]  # `make generate`: add the report to CHANGELOG.md

The report has two sections: Contract (openapi/customer.yaml, `contract_diff`) and Python API (`tatum` and
`tatum_client`, `python_api_diff`); every change is classed breaking or compatible by a rule of `api_rules`,
whose docstring is the table of them all. The old spec, sources and version are read from git (`git archive`
into a temporary directory), never from the working tree. A clone that lacks the base (shallow, a single
commit, no main) has nothing to compare against: the tool says so and exits 0.

The version is `customizations/tatum/_version.py`. While it is 0.x a breaking change needs a minor bump
(0.1.3 -> 0.2.0), from 1.0 a major one; compatible changes need none.

Without --base, the report compares with the merge base with main (or origin/main), or with HEAD~1 on main:
what this branch or commit changed. --check compares with the last release instead, since that is what the
version is a promise against: the commit tagged `v<version>` when the working tree's version is tagged
(released, so any breaking change needs a new one), else the newest commit of HEAD's first-parent history
whose version differs from the working tree's (the state before this version was begun), or the first
commit with a version file when the version never changed. Commits whose version file cannot be read (a
computed version, a directory) are passed over. A breaking change landed over several commits, or several
merges, is thus judged against the version users have, not against the commit before the last one. A shallow
clone whose history stops before the earlier version compares nothing (it says so); CI clones in full. When
CHANGELOG.md dates the version but no tag `v<version>` exists, --check says so: tag releases.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import changelog
import contract_diff
import python_api_diff
import yaml
from api_rules import SECTIONS, Change

ROOT = Path(__file__).resolve().parent.parent
SPEC = "openapi/customer.yaml"
VERSION_FILE = "customizations/tatum/_version.py"
CHANGELOG = "CHANGELOG.md"
SNAPSHOT = (SPEC, *(f"{directory}/{package}" for directory, package in zip(python_api_diff.SOURCE_DIRS, python_api_diff.PACKAGES, strict=True)))  # fmt: skip
"""What is read from the base commit: the spec and the two packages' sources."""


class NoBase(Exception):
    """There is nothing to compare against (no repository, a shallow clone, a first commit); says why."""


class UnknownRef(Exception):
    """The base asked for names no commit: a typo, not a short history."""


@dataclass(frozen=True)
class Report:
    """The changes from a base commit to the working tree, and the versions on both sides."""

    base: str
    """The base as the reader should see it: `55abc84 (merge base with main)`."""
    changes: list[Change]
    old_version: str
    new_version: str

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    def needed_version(self) -> str | None:
        """The lowest version the breaking changes require, or None when the version is fine."""
        if not self.breaking:
            return None
        old, new = parse_version(self.old_version), parse_version(self.new_version)
        needed = (0, old[1] + 1, 0) if old[0] == 0 else (old[0] + 1, 0, 0)
        return None if new >= needed else ".".join(map(str, needed))

    def markdown(self) -> str:
        breaking = len(self.breaking)
        counts = f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}: {breaking} breaking, {len(self.changes) - breaking} compatible"
        counts = counts if self.changes else "No changes"
        needed = self.needed_version()
        if not breaking:
            verdict = "No breaking change: no version bump needed."
        elif needed is None:
            verdict = (
                f"Version {self.old_version} -> {self.new_version}: bumped as the breaking changes require."
            )
        else:
            rule = "a minor bump while 0.x" if needed.startswith("0.") else "a major bump"
            verdict = f"**The breaking changes need version {needed} or later ({rule}); the version is {self.new_version}.**"
        lines = [f"## API changes: {self.base} -> working tree", "", f"{counts}. {verdict}"]
        for section in SECTIONS:
            bullets = [change.bullet() for change in self.changes if change.section == section]
            lines += ["", f"### {section}", "", *(bullets or ["- no changes"])]
        return "\n".join(lines) + "\n"


def parse_version(version: str) -> tuple[int, int, int]:
    """`0.1.0` -> (0, 1, 0); a missing patch counts as 0."""
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if match is None:
        raise SystemExit(f"{VERSION_FILE}: not a version: {version!r}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


_VERSION_LINE = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", flags=re.M)


def read_version(source: str) -> str:
    """The `__version__` string of `_version.py`'s source."""
    match = _VERSION_LINE.search(source)
    if match is None:
        raise SystemExit(f"{VERSION_FILE}: no __version__ = '...' line")
    return match.group(1)


def git(root: Path, *args: str) -> str:
    """Run git in `root`; its output, or NoBase with git's own words."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True)
    if result.returncode != 0:
        raise NoBase(f"`git {' '.join(args)}` failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode()


def _commit(root: Path, ref: str) -> str | None:
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except NoBase:
        return None


def _merge_base_with_main(root: Path) -> tuple[str, str] | None:
    for branch in ("main", "origin/main"):
        if _commit(root, branch) is not None:
            try:
                commit = git(root, "merge-base", "HEAD", branch).strip()
            except NoBase:  # unrelated histories
                continue
            return commit, f"`{commit[:7]}` (merge base with {branch})"
    return None


def _require_repository(root: Path) -> None:
    try:
        git(root, "rev-parse", "--git-dir")
    except NoBase:
        raise NoBase("no base: not a git repository") from None


def resolve_base(root: Path, ref: str | None) -> tuple[str, str]:
    """(commit, label) of the base: `ref`, else the merge base with main, or HEAD~1 on main."""
    _require_repository(root)
    shallow = git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    short_history = (
        "this clone is shallow; `git fetch --unshallow` to compare" if shallow else "the history is shorter"
    )
    if ref is None:
        on_main = (
            _commit(root, "HEAD") is not None and git(root, "branch", "--show-current").strip() == "main"
        )
        found = None if on_main else _merge_base_with_main(root)
        if found is not None:
            return found
        if not on_main:
            raise NoBase(f"no base: HEAD shares no history with a main branch here ({short_history}?)")
        ref = "HEAD~1"
    commit = _commit(root, ref)
    if commit is None and (shallow or re.fullmatch(r"HEAD([~^]\d*)+", ref)):
        raise NoBase(f"no base: {ref} is not in this clone ({short_history})")
    if commit is None:
        raise UnknownRef(f"{ref} is not a commit of this repository")
    return commit, f"`{commit[:7]}`" + ("" if commit.startswith(ref) else f" ({ref})")


def _readable_version(source: bytes) -> tuple[int, int, int] | None:
    """The version a `_version.py` of some commit states, parsed; None if it states none we can read."""
    match = _VERSION_LINE.search(source.decode("utf-8", errors="replace"))
    if match is None or re.match(r"\d+\.\d+", match.group(1)) is None:
        return None
    return parse_version(match.group(1))


def _versions(root: Path, commits: list[str]) -> Iterator[tuple[int, int, int] | None]:
    """The version at each commit in turn (None where there is no readable version file), read lazily from
    one `git cat-file --batch`, so that a walk stops reading where it stops."""
    with subprocess.Popen(
        ["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        try:
            for commit in commits:
                batch.stdin.write(f"{commit}:{VERSION_FILE}\n".encode())
                batch.stdin.flush()
                header = batch.stdout.readline().split()
                if len(header) != 3:  # "<name> missing" (or ambiguous): no such file there
                    yield None
                    continue
                content = batch.stdout.read(int(header[2]) + 1)[:-1]
                yield _readable_version(content) if header[1] == b"blob" else None
        finally:
            batch.stdin.close()
            batch.kill()


def resolve_release(root: Path, version: str) -> tuple[str, str]:
    """(commit, label) of the last release before the working tree: see the module's docstring."""
    _require_repository(root)
    if _commit(root, "HEAD") is None:
        raise NoBase("no base: no commit yet")
    tag = f"v{version}"
    tagged = _commit(root, tag)
    if tagged is not None:
        return tagged, f"`{tagged[:7]}` ({tag}, released)"
    current = parse_version(version)
    commits = git(root, "rev-list", "--first-parent", "HEAD").split()
    oldest_with_a_version = None
    for commit, old in zip(commits, _versions(root, commits), strict=False):
        if old is None:
            continue
        if old != current:
            return commit, f"`{commit[:7]}` (the last commit at version {'.'.join(map(str, old))})"
        oldest_with_a_version = commit
    if git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
        raise NoBase(
            f"no base: no earlier version than {version} in this clone"
            " (this clone is shallow; `git fetch --unshallow` to compare)"
        )
    if oldest_with_a_version is None:  # the working tree's version file is new
        raise NoBase(f"no base: no commit has {VERSION_FILE} yet")
    return (
        oldest_with_a_version,
        f"`{oldest_with_a_version[:7]}` (the first commit at {version}, the first version)",
    )


def released_untagged(root: Path, version: str) -> bool:
    """CHANGELOG.md dates `version` (released) but the repository has no tag `v<version>`."""
    path = root / CHANGELOG
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    dated = re.search(rf"^## {re.escape(version)} \(\d{{4}}-\d{{2}}-\d{{2}}\)", text, flags=re.M)
    return dated is not None and _commit(root, f"v{version}") is None


def snapshot(root: Path, commit: str, dest: Path) -> None:
    """Write the spec and the package sources as they are at `commit` into `dest`."""
    for path in SNAPSHOT:
        try:
            git(root, "cat-file", "-e", f"{commit}:{path}")
        except NoBase:
            raise NoBase(f"no base: {path} does not exist at {commit[:7]}") from None
    archive = subprocess.run(
        ["git", "archive", commit, "--", *SNAPSHOT], cwd=root, capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # The archive is this repository's own; the "data" filter (Python 3.11.4+) is a second guard.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Python 3.11.0-3.11.3
            tar.extractall(dest)


def _load_yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def report(root: Path, ref: str | None, since_release: bool = False) -> Report:
    """The report from the base to the working tree at `root`; NoBase when there is no base.

    The base is `ref`; without it, the last release if `since_release`, else the merge base with main.
    """
    new_version = read_version((root / VERSION_FILE).read_text(encoding="utf-8"))
    if ref is None and since_release:
        commit, label = resolve_release(root, new_version)
    else:
        commit, label = resolve_base(root, ref)
    with tempfile.TemporaryDirectory(prefix="tatum-api-diff-") as tmp:
        old_root = Path(tmp)
        snapshot(root, commit, old_root)
        changes = contract_diff.changes(_load_yaml(old_root / SPEC), _load_yaml(root / SPEC))
        changes += python_api_diff.changes(old_root, root)
    old_version = read_version(git(root, "show", f"{commit}:{VERSION_FILE}"))
    return Report(label, changes, old_version, new_version)


def add_to_changelog(root: Path, found: Report) -> bool:
    """Add the report's changes to CHANGELOG.md's Unreleased section; True if the file changed."""
    path = root / CHANGELOG
    text = path.read_text(encoding="utf-8") if path.exists() else changelog.NEW_FILE
    entries = {section: [c.bullet() for c in found.changes if c.section == section] for section in SECTIONS}
    updated = changelog.add(text, entries)
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base",
        metavar="REF",
        help="compare against this git ref (default: see above; for --check, the last release)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail when a breaking change lacks a version bump")
    mode.add_argument("--changelog", action="store_true", help=f"add the changes to {CHANGELOG}'s Unreleased")
    args = parser.parse_args(argv)
    try:
        found = report(root, args.base or None, since_release=args.check)
    except NoBase as nothing:
        print(f"api-diff: {nothing}. Nothing to compare{': passing' if args.check else ''}.")
        return 0
    except UnknownRef as error:
        parser.error(str(error))
    if args.changelog:
        changed = add_to_changelog(root, found)
        print(f"{CHANGELOG}: {'added the new changes to' if changed else 'nothing new for'} Unreleased")
        return 0
    print(found.markdown(), end="")
    if args.check and not args.base and released_untagged(root, found.new_version):
        print(
            f"\ncheck-api: note: {CHANGELOG} dates {found.new_version} but there is no tag v{found.new_version}, "
            "so this was judged against the last earlier version; tag the release commit so that later "
            "breaking changes are judged against it.",
            file=sys.stderr,
        )
    needed = found.needed_version()
    if args.check and needed is not None:
        print(f"\ncheck-api: breaking changes need version {needed}; bump {VERSION_FILE}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
