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


def load(root: Path) -> griffe.ModulesCollection:
    """`tatum_client` and `tatum` as griffe models, read from the source tree at `root`."""
    logging.getLogger("griffe").setLevel(logging.ERROR)  # griffe warns about docstring styles and such
    loader = griffe.GriffeLoader(search_paths=[root / directory for directory in SOURCE_DIRS])
    for name in PACKAGES:
        loader.load(name)
    loader.resolve_aliases(external=False)
    return loader.modules_collection


def _find(models: griffe.ModulesCollection, path: str) -> griffe.Object | griffe.Alias | None:
    try:
        found: griffe.Object | griffe.Alias = models[path]
    except KeyError:
        return None
    return found


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


def _public_names(surface: dict[str, griffe.Object | griffe.Alias]) -> dict[str, str]:
    """The public name of each object defined in a private module and exported elsewhere, by its real path:
    `tatum._client.Api` -> `tatum.Api`."""
    return {
        obj.target_path: path
        for path, obj in sorted(surface.items(), reverse=True)
        if isinstance(obj, griffe.Alias) and obj.target_path not in surface
    }


def _as_public(path: str, public: dict[str, str]) -> str:
    """`path` through the public name of its closest exported parent, if it needs one."""
    head = path
    while head:
        if head in public:
            return public[head] + path[len(head) :]
        head = head.rpartition(".")[0]
    return path


def _top_level(paths: set[str]) -> list[str]:
    """The paths whose parent is not in the set: an added class is one change, not one per member."""
    return sorted(path for path in paths if path.rpartition(".")[0] not in paths)


def changes(old_root: Path, new_root: Path) -> list[Change]:
    """Every change to the public API from the source tree `old_root` to `new_root`, classed."""
    old, new = load(old_root), load(new_root)
    before = {path: obj for name in PACKAGES for path, obj in surface(old[name]).items()}
    after = {path: obj for name in PACKAGES for path, obj in surface(new[name]).items()}
    public = _public_names(before) | _public_names(after)
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

    def change(path: str, detail: str, rule: str) -> None:
        found.append(Change("Python API", f"`{_as_public(path, public)}`", detail, rule))

    for path in _top_level(removed):
        was = _find(old, path)
        change(path, f"removed (was {describe(was)})" if was is not None else "removed", "python-removed")
    for path in _top_level(after.keys() - before.keys()):
        change(path, f"added ({describe(after[path])})", "python-added")
    for path in sorted(before.keys() & after.keys() | verdicts.keys()):
        was, now = _find(old, path), _find(new, path)
        old_face = describe(was) if was is not None else "?"
        new_face = describe(now) if now is not None else "?"
        if path in verdicts:
            detail = f"{old_face} -> {new_face}" if old_face != new_face else old_face
            change(path, f"{detail} (griffe: {'; '.join(verdicts[path])})", "python-incompatible")
        elif old_face != new_face:
            rule = (
                "python-type-changed" if isinstance(now, griffe.Attribute) else "python-signature-compatible"
            )
            change(path, f"{old_face} -> {new_face}", rule)
    return sorted(found, key=lambda found_change: found_change.subject)
