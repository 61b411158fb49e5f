"""Entry files are edited by people: one with YAML aliases (`*name`), which a few nested
levels turn into billions of values ("billion laughs"), is refused naming its file and line,
and nothing is loaded or written."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devtools.scratch import migrated
from knowledge.store import last_sync, load_stored_entries
from knowledge.validation import InvalidEntries, load_entries
from tests.conftest import BIELEFELD, PROJECT_ROOT
from tests.helpers.entries import VALID, translated, write_entry

ALIAS_BOMB = """\
a: &a ["x", "x"]
b: &b [*a, *a]
c: &c [*b, *b]
d: &d [*c, *c]
e: &e [*d, *d]
f: &f [*e, *e]
g: &g [*f, *f]
h: &h [*g, *g]
i: &i [*h, *h]
"""


def write_alias_bomb(directory: Path) -> Path:
    bomb = copy.deepcopy(VALID)
    bomb["id"] = "bomb"
    path = directory / "bomb.yml"
    path.write_text(ALIAS_BOMB + yaml.safe_dump(bomb, allow_unicode=True, sort_keys=False) + "target_groups: *i\n",
                    encoding="utf-8")
    return path


def cli(command: str, entries: Path, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "knowledge", command, "--entries", str(entries)], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": database_url})


def test_an_alias_bomb_is_refused_by_validate_and_sync_naming_the_file_and_nothing_is_written(tmp_path):
    entries, database_url = tmp_path / "entries", f"sqlite:///{tmp_path / 'lotse.db'}"
    entries.mkdir()
    write_entry(entries, VALID)
    engine = migrated(database_url)
    assert cli("sync", entries, database_url).returncode == 0
    synced_before = last_sync(engine)
    bomb = write_alias_bomb(entries)
    for command in ("validate", "sync"):
        refused = cli(command, entries, database_url)
        assert refused.returncode == 1 and "nothing was written" in refused.stderr
        assert f"{bomb}:2: uses the alias '*a'" in refused.stderr
    assert [e.id for e in load_stored_entries(engine, status=None)] == ["vhs-integrationskurse"]
    assert last_sync(engine) == synced_before
    engine.dispose()


def test_any_alias_is_refused_at_its_line_even_in_an_otherwise_valid_entry(tmp_path):
    data = copy.deepcopy(VALID)
    data["translations"]["en"] = {**translated("Integration courses"),
                                  "keywords": data["translations"]["de"]["keywords"]}
    path = write_entry(tmp_path, data)  # PyYAML writes the shared keywords as an anchor and an alias
    alias_line = 1 + next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if "*id001" in line)
    with pytest.raises(InvalidEntries) as raised:
        load_entries(tmp_path, BIELEFELD.district_names)
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), alias_line) and "'*id001'" in problem.message
