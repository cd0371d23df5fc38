"""CHANGELOG.md's Unreleased section: entries are appended under their heading, each once, and nothing
else in the file moves."""

from __future__ import annotations

from pathlib import Path

import changelog

ROOT = Path(__file__).resolve().parent.parent

CREDITS = "- **breaking** `activate_customer`: 2 -> 3 credits. Each call costs more."
FIELD = "- **compatible** `Customer.loyaltyTier` (response field): added (string, optional)."
PYTHON = "- **compatible** `tatum_client.models.customer.Customer.loyalty_tier`: added."
RELEASED = "## 0.1.0\n\nThe first version.\n"


def test_entries_go_under_their_headings_in_unreleased_and_the_rest_stays() -> None:
    text = "# Changelog\n\nIntro.\n\n## Unreleased\n\n" + RELEASED

    updated = changelog.add(text, {"Contract": [CREDITS, FIELD], "Python API": [PYTHON]})

    assert updated == (
        "# Changelog\n\nIntro.\n\n## Unreleased\n\n"
        f"### Contract\n\n{CREDITS}\n{FIELD}\n\n### Python API\n\n{PYTHON}\n\n" + RELEASED
    )


def test_adding_the_same_entries_again_changes_nothing() -> None:
    once = changelog.add(changelog.NEW_FILE, {"Contract": [CREDITS, CREDITS], "Python API": [PYTHON]})

    assert once.count(CREDITS) == 1
    assert changelog.add(once, {"Contract": [CREDITS], "Python API": [PYTHON]}) == once


def test_new_entries_follow_the_ones_there_and_hand_notes_stay() -> None:
    text = f"# Changelog\n\n## Unreleased\n\n### Notes\n\n- A note by hand.\n\n### Contract\n\n{CREDITS}\n\n{RELEASED}"

    updated = changelog.add(text, {"Contract": [CREDITS, FIELD]})

    assert updated == (
        f"# Changelog\n\n## Unreleased\n\n### Notes\n\n- A note by hand.\n\n### Contract\n\n{CREDITS}\n{FIELD}\n\n"
        + RELEASED
    )


def test_a_missing_unreleased_section_is_made_above_the_releases() -> None:
    updated = changelog.add("# Changelog\n\n" + RELEASED, {"Contract": [FIELD]})

    assert updated == f"# Changelog\n\n## Unreleased\n\n### Contract\n\n{FIELD}\n\n" + RELEASED


def test_only_unreleased_counts_as_already_there() -> None:
    text = f"# Changelog\n\n## Unreleased\n\n## 0.1.0\n\n### Contract\n\n{FIELD}\n"

    updated = changelog.add(text, {"Contract": [FIELD]})

    assert updated.count(FIELD) == 2
    assert updated.index(FIELD) < updated.index("## 0.1.0")


def test_the_projects_changelog_has_the_sections_the_tool_writes_to() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

    assert changelog.UNRELEASED in text.splitlines()
    assert changelog.add(text, {}) == text
