"""`python -m knowledge new ID`: a new entry file with every field explained in comments,
so a coordinator fills in a form instead of remembering the schema."""

from __future__ import annotations

from pathlib import Path

from knowledge.validation import is_entry_id

TEMPLATE = Path(__file__).resolve().parent / "template.yml"


class CannotScaffold(Exception):
    """The id is not a slug or already has a file; nothing was written."""


def new_entry(directory: Path, entry_id: str) -> Path:
    if not is_entry_id(entry_id):
        raise CannotScaffold(f"'{entry_id}' is not a valid id: use lower-case letters, digits and hyphens, "
                             "e.g. 'jobcenter-mitte'")
    path = directory / f"{entry_id}.yml"
    if path.exists():
        raise CannotScaffold(f"{path} already exists: edit it, or choose another id")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.read_text(encoding="utf-8").replace("__ID__", entry_id), encoding="utf-8")
    return path
