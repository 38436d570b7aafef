"""The README is the door and docs/ the house: short, and every link leads somewhere."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_stays_a_door():
    assert len((ROOT / "README.md").read_text().splitlines()) < 200


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_resolves(document):
    missing = [
        target
        for target in LINK.findall(document.read_text())
        if not re.match(r"[a-z]+:", target)
        and not (document.parent / target.split("#")[0]).exists()
    ]
    assert missing == []
