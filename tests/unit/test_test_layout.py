"""The tests' own layout: a test module imports helpers from support modules, never from another test module."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]  # on the import path (pytest's pythonpath), as in ``clinic.support``


def _imported_names(tree: ast.Module) -> list[tuple[int, str]]:
    """Every dotted name an import statement anywhere in the module may load, with its line."""
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append((node.lineno, node.module))
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return names


def _test_module(root: Path, dotted: str) -> Path | None:
    """The test module (a ``test_*.py`` under ``root``) that ``dotted`` names, if it names one."""
    path = root.joinpath(*dotted.split(".")).with_suffix(".py")
    return path if path.name.startswith("test_") and path.is_file() else None


def imports_of_test_modules(root: Path = TESTS) -> list[str]:
    """``file:line imports module`` for every import of a test module by any Python file under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, dotted in _imported_names(tree):
            if (target := _test_module(root, dotted)) is not None:
                found.append(
                    f"{path.relative_to(root).as_posix()}:{line} imports {target.relative_to(root).as_posix()}"
                )
    return found


def test_no_test_module_imports_another_test_module():
    found = imports_of_test_modules()
    message = "import helpers from a support module (clinic_factories.py, support.py, *_support.py), not a test module"
    assert found == [], message + ":\n" + "\n".join(found)


def test_the_check_finds_every_form_of_import_of_a_test_module(tmp_path):
    for name in ("clinic/test_recall.py", "clinic/test_audit.py", "clinic/support.py", "web/test_api.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "web" / "test_new.py").write_text(
        "from clinic.test_recall import SessionBuilder\n"
        "import web.test_api\n"
        "from clinic import test_audit\n"
        "from clinic.support import last_seq\n"
        "from django.test import Client\n"
        "def later():\n"
        "    from clinic.test_audit import fill_log\n",
        encoding="utf-8",
    )
    assert imports_of_test_modules(tmp_path) == [
        "web/test_new.py:1 imports clinic/test_recall.py",
        "web/test_new.py:2 imports web/test_api.py",
        "web/test_new.py:3 imports clinic/test_audit.py",
        "web/test_new.py:7 imports clinic/test_audit.py",
    ]


def shared_browser_accounts(root: Path = TESTS) -> dict[str, list[str]]:
    """E-mail addresses of ``Person(...)`` accounts that more than one browser test module creates.

    All browser test modules share one server (one database), so a module whose fixture makes an
    account another module already made fails, in whichever order the two happen to run.
    """
    modules: dict[str, set[str]] = {}
    for path in sorted((root / "browser").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Person":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    modules.setdefault(first.value, set()).add(path.name)
    return {email: sorted(names) for email, names in modules.items() if len(names) > 1}


def test_each_browser_test_module_makes_its_own_accounts() -> None:
    assert shared_browser_accounts() == {}


def test_the_account_check_sees_a_shared_address(tmp_path: Path) -> None:
    (tmp_path / "browser").mkdir()
    for name in ("test_a.py", "test_b.py"):
        (tmp_path / "browser" / name).write_text('owner = Person("x@example.org", "X", "owner")\n', encoding="utf-8")
    assert shared_browser_accounts(tmp_path) == {"x@example.org": ["test_a.py", "test_b.py"]}
