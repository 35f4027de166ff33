"""The direction of imports (docs/design.md §1): an app imports only apps on lower floors, and no two modules import
each other. Read from the source with `ast`, function-level imports included; migrations are left out."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "core": 0,
    "accounts": 0,
    "licensing": 0,
    "archive": 1,
    "uploads": 1,
    "submissions": 2,
    "harvest": 2,
    "curation": 3,
    "portal": 4,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for app in FLOORS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    }


def _imported(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules) -> set[str]:
    """The project modules an import statement names; `from package import name` names package.name if a module."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = importer.split(".") if is_package else importer.split(".")[:-1]
            anchor = package[: len(package) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    found = set()
    for name in names:
        # `import archive.services.status` imports that module; keep the longest project module it names.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def _import_edges() -> set[tuple[str, str]]:
    modules = _project_modules()
    edges = set()
    for importer, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= {
                    (importer, imported)
                    for imported in _imported(node, importer, is_package, modules)
                    if imported != importer
                }
    return edges


def _app(module: str) -> str:
    return module.partition(".")[0]


def _breaks_floor(importer: str, imported: str) -> bool:
    low, high = _app(imported), _app(importer)
    if low == high:
        return False
    if FLOORS[low] == FLOORS[high]:
        return low != "core"  # the ground floor's other apps import core only; archive and uploads not each other
    return FLOORS[low] > FLOORS[high]


def test_apps_import_only_lower_floors():
    upward = sorted(edge for edge in _import_edges() if _breaks_floor(*edge))
    message = "Imports against the floors of docs/design.md §1:\n"
    assert not upward, message + "\n".join(f"{a} -> {b}" for a, b in upward)


def test_no_two_modules_import_each_other():
    edges = _import_edges()
    cycles = sorted((a, b) for a, b in edges if (b, a) in edges and a < b)
    assert not cycles, "Modules that import each other:\n" + "\n".join(f"{a} <-> {b}" for a, b in cycles)
