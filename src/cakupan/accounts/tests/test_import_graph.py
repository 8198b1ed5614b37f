"""Who may import whom (ast over the source files):

- no module outside `web` imports `cakupan.web` (apps never lean on the shell);
- `web` imports no app but `accounts` for roles and permissions: no role tuple comes back from an app,
  and the navigation (`web/nav.py`) imports no app but `accounts` at all;
- `core` imports no other cakupan app but `rules`, the framework-free domain core below it (its tests may
  build state through the apps' services); the apps register what core needs of them (labels) at start-up;
- outside `accounts`, demo data, tests and migrations, no module names a role (`Role.X`): permissions are
  asked of `accounts.permissions`.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

from cakupan.accounts.models import Role

SRC = Path(__file__).resolve().parents[2]  # src/cakupan


def sources(app: str | None = None) -> Iterator[Path]:
    yield from sorted((SRC / app if app else SRC).rglob("*.py"))


def app_of(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else ""


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it), for `import x` and `from x import a, b` (relative too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["cakupan", *path.relative_to(SRC).parent.parts]
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            out.append((module, [alias.name for alias in node.names]))
    return out


def is_role_set(module: str, name: str) -> bool:
    """Whether `module.name` is a collection of roles (READERS, UPLOADERS, COVERAGE_ROLES...)."""
    value = getattr(importlib.import_module(module), name, None)
    if isinstance(value, dict):
        value = list(value)
    return (
        isinstance(value, (tuple, list, set, frozenset))
        and bool(value)
        and all(isinstance(item, str) and item in Role.values for item in value)
    )


def cakupan_app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "cakupan" else ""


def test_a_role_set_is_recognised() -> None:
    assert is_role_set("cakupan.accounts.permissions", "CLAIMANT_KINDS")  # keyed by role
    assert not is_role_set("cakupan.registry.nik", "MESSAGES")


def test_no_app_imports_the_shell() -> None:
    wrong = [
        f"{path.relative_to(SRC)}: {module}"
        for path in sources()
        if app_of(path) != "web"
        for module, _names in imports(path)
        if cakupan_app(module) == "web"
    ]
    assert wrong == []


def test_the_shell_takes_no_role_sets_from_apps() -> None:
    wrong: list[str] = []
    for path in sources("web"):
        if "tests" in path.parts:
            continue
        for module, names in imports(path):
            app = cakupan_app(module)
            if path.name == "nav.py" and app not in ("", "accounts"):
                wrong.append(f"{path.relative_to(SRC)} imports {module}")
            if app not in ("", "accounts", "web"):
                wrong += [
                    f"{path.relative_to(SRC)} takes {n} from {module}"
                    for n in names
                    if is_role_set(module, n)
                ]
    assert wrong == []


def test_core_imports_no_app() -> None:
    wrong = [
        f"{path.relative_to(SRC)}: {module}"
        for path in sources("core")
        if "tests" not in path.parts
        for module, _names in imports(path)
        if cakupan_app(module) not in ("", "core", "rules")
    ]
    assert wrong == []


def test_roles_are_named_only_in_accounts() -> None:
    skip = {"accounts", "demo"}
    wrong = []
    for path in sources():
        if app_of(path) in skip or "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Role"
            ):
                wrong.append(f"{path.relative_to(SRC)}:{node.lineno} Role.{node.attr}")
    assert wrong == []
