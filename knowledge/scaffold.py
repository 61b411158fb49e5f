"""`python -m knowledge new ID`: a new entry file with every field explained in comments,
so a coordinator fills in a form instead of remembering the schema."""

from __future__ import annotations

from pathlib import Path

from cities import City
from knowledge.validation import is_entry_id
from texts import TOPICS

TEMPLATE = Path(__file__).resolve().parent / "template.yml"


class CannotScaffold(Exception):
    """The id is not a slug or already has a file; nothing was written."""


def new_entry(directory: Path, entry_id: str, city: City) -> Path:
    """The template with the id and the city's name and districts filled in."""
    if not is_entry_id(entry_id):
        raise CannotScaffold(f"'{entry_id}' is not a valid id: use lower-case letters, digits and hyphens, "
                             "e.g. 'jobcenter-mitte'")
    path = directory / f"{entry_id}.yml"
    if path.exists():
        raise CannotScaffold(f"{path} already exists: edit it, or choose another id")
    directory.mkdir(parents=True, exist_ok=True)
    form = (TEMPLATE.read_text(encoding="utf-8").replace("__ID__", entry_id).replace("__CITY__", city.name)
            .replace("__DISTRICTS__", ", ".join(city.district_names)).replace("__TOPICS__", ", ".join(TOPICS)))
    path.write_text(form, encoding="utf-8")
    return path
