"""`sync` puts exactly the YAML entries into the store, changes nothing when run twice,
and writes nothing at all when one file is bad."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from db.schema import newest_revision
from devtools.scratch import migrated, scratch_store
from knowledge.store import last_sync, load_stored_entries, sync
from knowledge.validation import InvalidEntries
from tests.conftest import BIELEFELD, POSTGRES_URL, PROJECT_ROOT
from tests.helpers.entries import VALID, write_entry


def published(entry_id: str, title: str = "Integrationskurse der Volkshochschule") -> dict:
    data = copy.deepcopy(VALID)
    data.update(id=entry_id, status="published", last_verified="2026-11-01",
                sources=[{"url": "https://example.org/source", "read_on": "2026-10-30"}])
    data["translations"]["de"]["title"] = title
    return data


@pytest.fixture
def engine(store_url):
    engine = migrated(store_url)
    yield engine
    engine.dispose()


def test_sync_loads_the_entries_and_the_bot_reads_the_published_ones(engine, tmp_path):
    write_entry(tmp_path, published("vhs"))
    write_entry(tmp_path, VALID)  # a draft
    result = sync(engine, tmp_path, BIELEFELD.district_names)
    assert (result.added, result.updated, result.removed) == (2, 0, 0)
    (entry,) = load_stored_entries(engine)
    assert entry.id == "vhs" and entry.sourced and entry.last_verified
    assert entry.last_verified.isoformat() == "2026-11-01"
    assert entry.translations["ar"].title == "دورات الاندماج"
    assert last_sync(engine) is not None


def test_sync_twice_changes_nothing(engine, tmp_path):
    write_entry(tmp_path, published("vhs"))
    sync(engine, tmp_path, BIELEFELD.district_names)
    again = sync(engine, tmp_path, BIELEFELD.district_names)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 1)


def test_sync_updates_edited_entries_and_removes_deleted_ones(engine, tmp_path):
    write_entry(tmp_path, published("vhs"))
    old = write_entry(tmp_path, published("old-office"))
    sync(engine, tmp_path, BIELEFELD.district_names)
    write_entry(tmp_path, published("vhs", title="Integrationskurse (neu)"))
    old.unlink()
    result = sync(engine, tmp_path, BIELEFELD.district_names)
    assert (result.updated, result.removed) == (1, 1)
    assert [e.translations["de"].title for e in load_stored_entries(engine)] == ["Integrationskurse (neu)"]


def test_one_bad_file_writes_nothing_and_the_previous_entries_stay(engine, tmp_path):
    write_entry(tmp_path, published("vhs"))
    sync(engine, tmp_path, BIELEFELD.district_names)
    synced_before = last_sync(engine)
    write_entry(tmp_path, published("new-office"))
    broken = published("broken")
    broken["contact"]["phone"] = "ring us"
    write_entry(tmp_path, broken)
    with pytest.raises(InvalidEntries, match=r"broken\.yml"):
        sync(engine, tmp_path, BIELEFELD.district_names)
    assert [e.id for e in load_stored_entries(engine)] == ["vhs"]
    assert last_sync(engine) == synced_before


def test_the_schema_is_migrated_by_alembic_to_the_newest_revision(engine):
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == newest_revision()
        assert {"knowledge_entries", "knowledge_syncs", "answers"} <= set(sa.inspect(connection).get_table_names())


def test_cli_sync_reports_what_changed_and_refuses_bad_files(store_url, tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    write_entry(entries, published("vhs"))
    migrated(store_url).dispose()

    def run_sync() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "knowledge", "sync", "--entries", str(entries)],
                              capture_output=True, text=True, cwd=PROJECT_ROOT,
                              env={**os.environ, "DATABASE_URL": store_url})

    first = run_sync()
    assert first.returncode == 0 and "1 added" in first.stdout
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in run_sync().stdout
    write_entry(entries, {**published("bad"), "topics": ["weather"]})
    refused = run_sync()
    assert refused.returncode == 1 and "bad.yml" in refused.stderr and "nothing was written" in refused.stderr


@pytest.mark.postgres
def test_cli_sync_never_shows_the_databases_password(tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    write_entry(entries, published("vhs"))
    with scratch_store(POSTGRES_URL) as url:
        with_password = url.replace("postgres@", "postgres:not-to-be-shown@")  # trust auth lets it in all the same
        migrated(with_password).dispose()
        synced = subprocess.run([sys.executable, "-m", "knowledge", "sync", "--entries", str(entries)],
                                capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
                                env={**os.environ, "DATABASE_URL": with_password})
    assert synced.returncode == 0 and "1 added" in synced.stdout, synced.stderr[-1000:]
    assert "not-to-be-shown" not in synced.stdout + synced.stderr and "***" in synced.stdout


def test_the_live_entries_round_trip_through_yaml_files_and_a_workspace_change_survives_a_sync(store_url, tmp_path):
    from datetime import datetime, timezone

    from knowledge.revisions import approve, live_document, save_draft, submit

    entries, exported = tmp_path / "entries", tmp_path / "exported"
    entries.mkdir()
    write_entry(entries, published("vhs"))
    write_entry(entries, published("gone-office"))
    engine = migrated(store_url)
    sync(engine, entries, BIELEFELD.district_names)
    stored = live_document(engine, "vhs")
    assert stored is not None
    changed = copy.deepcopy(stored)
    changed["translations"]["de"]["title"] = "VHS, im Arbeitsbereich geändert"
    now = datetime.now(timezone.utc)
    draft = save_draft(engine, "vhs", changed, "koordination", "neuer Name", False, now)
    submit(engine, draft.id)
    approve(engine, draft.id, "pruefung", now, BIELEFELD.district_names)
    (entries / "gone-office.yml").unlink()

    result = sync(engine, entries, BIELEFELD.district_names)
    assert result.kept == ("vhs",) and result.removed == 1  # the file's older "vhs" does not win
    assert (live_document(engine, "vhs") or {})["translations"]["de"]["title"] == "VHS, im Arbeitsbereich geändert"
    engine.dispose()

    exporting = subprocess.run([sys.executable, "-m", "knowledge", "export", "--yaml", str(exported)],
                               capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
                               env={**os.environ, "DATABASE_URL": store_url})
    assert exporting.returncode == 0 and "wrote 1 entries" in exporting.stdout, exporting.stderr[-1000:]
    assert [path.name for path in exported.iterdir()] == ["vhs.yml"]
    synced = subprocess.run([sys.executable, "-m", "knowledge", "sync", "--entries", str(entries)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
                            env={**os.environ, "DATABASE_URL": store_url})
    assert "kept 1 entries changed in the workspace" in synced.stderr and "vhs" in synced.stderr
    fresh = migrated(f"sqlite:///{tmp_path / 'fresh.db'}")
    sync(fresh, exported, BIELEFELD.district_names)  # the export is valid entry files
    assert load_stored_entries(fresh)[0].translations["de"].title == "VHS, im Arbeitsbereich geändert"
    fresh.dispose()


def test_once_the_files_have_caught_up_with_the_workspace_they_are_synced_again(tmp_path):
    from datetime import datetime, timezone

    from knowledge.revisions import approve, live_document, save_draft, submit
    from knowledge.store import export_yaml

    entries = tmp_path / "entries"
    entries.mkdir()
    write_entry(entries, published("vhs"))
    engine = migrated(f"sqlite:///{tmp_path / 'lotse.db'}")
    sync(engine, entries, BIELEFELD.district_names)
    changed = copy.deepcopy(live_document(engine, "vhs") or {})
    changed["translations"]["de"]["title"] = "VHS, im Arbeitsbereich geändert"
    now = datetime.now(timezone.utc)
    draft = save_draft(engine, "vhs", changed, "koordination", None, False, now)
    submit(engine, draft.id)
    approve(engine, draft.id, "pruefung", now, BIELEFELD.district_names)
    export_yaml(engine, entries)  # the developer takes the workspace's state into the files
    assert sync(engine, entries, BIELEFELD.district_names).kept == ()
    edited = published("vhs")
    edited["translations"]["de"]["title"] = "VHS, in der Datei geändert"
    write_entry(entries, edited)
    assert sync(engine, entries, BIELEFELD.district_names).updated == 1
    assert (live_document(engine, "vhs") or {})["translations"]["de"]["title"] == "VHS, in der Datei geändert"
    engine.dispose()
