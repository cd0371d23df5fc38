"""The Python API half of `make api-diff`: public names and signatures of `tatum` and `tatum_client`.

griffe reads both packages from source (nothing is imported or run) in two source trees, the old and the new,
and its breaking-change check (`griffe.find_breaking_changes`) decides what is breaking: removed names,
parameters removed, moved, made required or of another kind, defaults and return types changed, bases removed.
What it does not report, names added and signatures changed compatibly, is found by comparing the public
objects of griffe's two models. griffe does not judge attribute annotations, so a changed one is classed
breaking (see `python-type-changed` in `api_rules`). Public means what griffe means: listed in `__all__`
where a module has one, otherwise not underscored and not imported.
"""

from __future__ import annotations

import logging
from pathlib import Path

import griffe
from api_rules import Change

PACKAGES = ("tatum_client", "tatum")
SOURCE_DIRS = ("generated", "customizations")
"""Where the two packages live in a source tree (the repository, or a snapshot of it)."""


def load(root: Path) -> dict[str, griffe.Object]:
    """`tatum_client` and `tatum` as griffe models, read from the source tree at `root`."""
    logging.getLogger("griffe").setLevel(logging.ERROR)  # griffe warns about docstring styles and such
    loader = griffe.GriffeLoader(search_paths=[root / directory for directory in SOURCE_DIRS])
    packages: dict[str, griffe.Object] = {}
    for name in PACKAGES:
        package = loader.load(name)
        assert isinstance(package, griffe.Object)
        packages[name] = package
    loader.resolve_aliases(external=False)
    return packages


def describe(obj: griffe.Object | griffe.Alias) -> str:
    """An object's public face in one line: its kind and signature, never its body or docstring."""
    if isinstance(obj, griffe.Alias):
        return f"re-export of `{obj.target_path}`"
    if isinstance(obj, griffe.Function):
        return f"`{obj.signature(return_type=True)}`"
    if isinstance(obj, griffe.Class):
        bases = ", ".join(str(base) for base in obj.bases)
        return f"class `{obj.name}({bases})`" if bases else f"class `{obj.name}`"
    if isinstance(obj, griffe.Attribute):
        annotation = f"`{obj.annotation}`" if obj.annotation is not None else "untyped"
        in_class = obj.parent is not None and obj.parent.is_class
        return f"attribute {annotation}" + (", with a default" if in_class and obj.value is not None else "")
    return obj.kind.value


def surface(package: griffe.Object) -> dict[str, griffe.Object | griffe.Alias]:
    """Every public object of a package, by path; re-exports are listed but not entered."""
    found: dict[str, griffe.Object | griffe.Alias] = {}

    def walk(obj: griffe.Object) -> None:
        for member in obj.members.values():
            if not member.is_public:
                continue
            found[member.path] = member
            if isinstance(member, griffe.Object) and (member.is_module or member.is_class):
                walk(member)

    walk(package)
    return found


def _griffe_says(breakage: griffe.Breakage) -> str:
    """griffe's verdict in words, naming the parameter when there is one."""
    parameter = next(
        (v for v in (breakage.old_value, breakage.new_value) if isinstance(v, griffe.Parameter)), None
    )
    return breakage.kind.value + (f" (`{parameter.name}`)" if parameter is not None else "")


def _top_level(paths: set[str]) -> list[str]:
    """The paths whose parent is not in the set: an added class is one change, not one per member."""
    return sorted(path for path in paths if path.rpartition(".")[0] not in paths)


def changes(old_root: Path, new_root: Path) -> list[Change]:
    """Every change to the public API from the source tree `old_root` to `new_root`, classed."""
    old, new = load(old_root), load(new_root)
    before = {path: obj for name in PACKAGES for path, obj in surface(old[name]).items()}
    after = {path: obj for name in PACKAGES for path, obj in surface(new[name]).items()}
    verdicts: dict[str, list[str]] = {}
    removed: set[str] = set()
    for name in PACKAGES:
        for breakage in griffe.find_breaking_changes(old[name], new[name]):
            path = breakage.obj.path
            if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
                removed.add(path)
            elif _griffe_says(breakage) not in verdicts.setdefault(path, []):
                verdicts[path].append(_griffe_says(breakage))
    removed |= before.keys() - after.keys()
    found: list[Change] = []
    for path in _top_level(removed):
        detail = f"removed (was {describe(before[path])})" if path in before else "removed"
        found.append(Change("Python API", f"`{path}`", detail, "python-removed"))
    for path in _top_level(after.keys() - before.keys()):
        found.append(Change("Python API", f"`{path}`", f"added ({describe(after[path])})", "python-added"))
    for path in sorted(before.keys() & after.keys() | verdicts.keys()):
        old_face = describe(before[path]) if path in before else "?"
        new_face = describe(after[path]) if path in after else "?"
        if path in verdicts:
            detail = f"{old_face} -> {new_face} (griffe: {'; '.join(verdicts[path])})"
            found.append(Change("Python API", f"`{path}`", detail, "python-incompatible"))
        elif old_face != new_face:
            attribute = isinstance(after[path], griffe.Attribute)
            rule = "python-type-changed" if attribute else "python-signature-compatible"
            found.append(Change("Python API", f"`{path}`", f"{old_face} -> {new_face}", rule))
    return sorted(found, key=lambda change: change.subject)
