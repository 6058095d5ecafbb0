"""Layers point one way: the ground floor (``procurement_portal``: settings, access,
accounts, documents, outbox, notifications, fiscal, core) imports no app.

Apps (suppliers, assessments, declarations, reports) import the ground and the apps below
them; the ground reaches an app's models only by string (``"suppliers.Supplier"``, the
apps registry) or through hooks the apps register. Only the modules that wire the apps in
(``settings.py``) names them; the URL maps include app URLs by string; migrations are history.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUND = ROOT / "procurement_portal"
APPS = ("suppliers", "assessments", "declarations", "dissemination", "visits", "reports")
WIRING = {"settings.py"}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Imports under ``if TYPE_CHECKING:`` exist only for the type checker."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import names (at module level or inside a function; ``import_module``
    with a literal too), leaving out imports for the type checker only."""
    skip = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def ground_modules():
    for path in sorted(GROUND.rglob("*.py")):
        relative = path.relative_to(GROUND)
        if "migrations" in relative.parts or path.name in WIRING:
            continue
        yield path


def app_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in imported_modules(tree)
        if module.split(".")[0] in APPS
    ]


def test_the_walk_sees_the_ground_floor():
    names = {str(path.relative_to(GROUND)) for path in ground_modules()}
    assert {"access.py", "accounts/models.py", "accounts/views.py", "core/api.py"} <= names
    assert not any(name.endswith("settings.py") or "migrations" in name for name in names)


def test_no_ground_module_imports_an_app():
    offences = [offence for path in ground_modules() for offence in app_imports(path)]
    assert not offences, "The ground floor imports apps:\n" + "\n".join(offences)


def test_the_check_catches_an_app_import(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text(
        "from suppliers.models import Supplier\n"
        "def home():\n"
        "    from assessments import demo\n"
        "    import reports.pdf\n"
        "    return importlib.import_module('declarations.models')\n"
        "from procurement_portal import access\n",
        encoding="utf-8",
    )
    tree = ast.parse(module.read_text(encoding="utf-8"))
    named = [name for _line, name in imported_modules(tree) if name.split(".")[0] in APPS]
    assert named == ["suppliers.models", "assessments", "reports.pdf", "declarations.models"]


def test_access_and_accounts_models_do_not_import_each_other():
    """accounts.models builds on access (ScopedQuerySet); access reaches the membership
    table through the apps registry, never by importing accounts.models back."""
    tree = ast.parse((GROUND / "access.py").read_text(encoding="utf-8"))
    assert "procurement_portal.accounts.models" not in {
        name for _line, name in imported_modules(tree)
    }
