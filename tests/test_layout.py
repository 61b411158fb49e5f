"""The layout keeps its promises: the services' packages import no development tooling, every
third-party module they import is declared in requirements.txt (not only pulled in through
Rasa), and the image is built from the services' packages and requirements alone."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import distribution
from pathlib import Path

from tests.conftest import PROJECT_ROOT

SERVICE_PACKAGES = ("actions", "bot", "cases", "cities", "configuration", "db", "knowledge", "nlu", "rasa_server",
                    "retention", "texts", "workspace")
DEVELOPMENT_ONLY = {"devtools", "tests", "pytest", "hypothesis", "selenium", "matplotlib", "requests"}


def imported_modules(package: str) -> dict[str, set[str]]:
    """Top-level module name -> the files of `package` importing it."""
    found: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def requirement_names(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {re.split(r"[\[<>=~! ]", line)[0].lower().replace("_", "-")
            for line in lines if line and not line.startswith("-")}


def test_the_services_import_no_development_tooling():
    imports: dict[str, set[str]] = {}
    for package in SERVICE_PACKAGES:
        for module, files in imported_modules(package).items():
            imports.setdefault(module, set()).update(files)
    assert {module: sorted(files) for module, files in imports.items() if module in DEVELOPMENT_ONLY} == {}


def top_level_modules(requirement: str) -> set[str]:
    """What an installed distribution puts on the import path, from its file list."""
    return {Path(str(file)).parts[0].removesuffix(".py") for file in distribution(requirement).files or []
            if not str(file).startswith("..")}


def test_every_third_party_module_the_services_import_is_declared():
    declared = set().union(*map(top_level_modules, requirement_names(PROJECT_ROOT / "requirements.txt")))
    undeclared = {module: sorted(files) for package in SERVICE_PACKAGES
                  for module, files in imported_modules(package).items()
                  if module not in sys.stdlib_module_names and module not in SERVICE_PACKAGES
                  and module not in declared}
    assert undeclared == {}


def test_the_image_holds_the_services_and_their_requirements_only():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {source.rstrip("/") for line in dockerfile.splitlines() if line.startswith("COPY")
              for source in line.split()[1:-1]}
    assert set(SERVICE_PACKAGES) <= copied
    assert not copied & {"devtools", "tests", "requirements-dev.txt", "."}
    assert re.search(r"pip install .*-r requirements\.txt", dockerfile)
