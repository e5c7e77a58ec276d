"""Import rules of the project, checked by parsing every module of the three packages.

Every ``import`` statement counts, including those inside functions; relative imports are
resolved. ``from m import n`` is read as importing ``m.n`` (``n`` may be a submodule or a name;
either way the importer depends on it). Imports under ``if TYPE_CHECKING:`` would count too;
the packages have none.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("generative", "debias", "reports")

# ``python -m debias`` is the command line's entry point: the one module outside debias.cli
# that may import it.
CLI_ENTRY_POINTS = {"debias.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute dotted name) for every import in the module at ``path``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [(node.lineno, base if alias.name == "*" else f"{base}.{alias.name}")
                      for alias in node.names]
    return found


def all_imports() -> list[tuple[str, str, str]]:
    """(importer module, "file:line", imported name) over all three packages."""
    rows = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, name in imports(path):
                rows.append((module_name(path), f"{path.relative_to(ROOT)}:{line}", name))
    return rows


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def is_private(component: str) -> bool:
    dunder = component.startswith("__") and component.endswith("__")  # __future__, __main__
    return component.startswith("_") and not dunder


def private_owner(name: str) -> str | None:
    """The package owning the first private component of ``name`` (``a.b`` for ``a.b._c.d``)."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if is_private(part):
            return ".".join(parts[:i])
    return None


def report(violations: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {where} -> {name}" for _, where, name in violations)


def check(violations: list[tuple[str, str, str]], rule: str) -> None:
    if violations:
        pytest.fail(f"{rule}: {len(violations)} violation(s)\n{report(violations)}",
                    pytrace=False)


def test_generative_imports_neither_debias_nor_reports():
    """Rule 1: generative stands alone."""
    banned = ("debias", "reports")
    check([row for row in all_imports()
           if within(row[0], "generative") and any(within(row[2], p) for p in banned)],
          "generative imports debias/reports")


def test_reports_imports_no_torch_debias_or_generative():
    """Rule 2: reports renders plain data, without torch."""
    banned = ("torch", "torchvision", "debias", "generative")
    check([row for row in all_imports()
           if within(row[0], "reports") and any(within(row[2], p) for p in banned)],
          "reports imports torch/torchvision/debias/generative")


def test_only_the_cli_imports_the_cli():
    """Rule 3: the library never imports its command line (debias/__main__.py excepted)."""
    check([row for row in all_imports()
           if within(row[2], "debias.cli") and not within(row[0], "debias.cli")
           and row[0] not in CLI_ENTRY_POINTS],
          "debias.cli imported from outside it")


def test_no_private_imports_across_packages():
    """Rule 4: ``a.b._c`` (module or name) is imported only from inside ``a.b``."""
    violations = []
    for importer, where, name in all_imports():
        owner = private_owner(name)
        # ``__init__`` has the package's own name, so it counts as inside the package.
        if owner is not None and not (owner and within(importer, owner)):
            violations.append((importer, where, name))
    check(violations, "private module or name imported from outside its package")


def torch_entries(stderr: str) -> list[str]:
    """Each project import that brings in torch, per ``-X importtime``: the chain of importing
    modules down to the first one outside the project (``... -> debias.data._dataset -> torch``).
    """
    # importtime prints a module after the modules it imports, indented two spaces per level;
    # read backwards, each line's ancestors are the last lines seen at lower depths.
    stack, entries = [], []
    for line in reversed(stderr.splitlines()):
        if not line.startswith("import time:") or line.endswith("imported package"):
            continue
        field = line.rpartition("|")[2]
        name, depth = field.strip(), (len(field) - len(field.lstrip()) - 1) // 2
        del stack[depth:]
        if within(name, "torch") and not any(within(n, "torch") for n in stack):
            chain = [*stack, name]
            ours = [i for i, n in enumerate(chain) if n.split(".")[0] in PACKAGES]
            last = ours[-1] if ours else -1
            entries.append(" -> ".join(chain[: last + 2]))
        stack.append(name)
    return list(dict.fromkeys(reversed(entries)))


@pytest.mark.parametrize("args", [
    ["-c", "import debias.cli"],
    ["-m", "debias", "--help"],
    ["-m", "debias", "audit", "--help"],
], ids=["import", "help", "audit-help"])
def test_cli_does_not_import_torch(args):
    """Rule 5: the command line starts without torch, so ``debias --help`` is quick."""
    result = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    command = " ".join(["python", *args])
    if result.returncode:
        errors = [line for line in result.stderr.splitlines()
                  if not line.startswith("import time:")]
        pytest.fail(f"{command} exited {result.returncode}:\n" + "\n".join(errors[-30:]),
                    pytrace=False)
    entries = torch_entries(result.stderr)
    if entries:
        pytest.fail(f"{command} imports torch:\n" + "\n".join(f"  {e}" for e in entries),
                    pytrace=False)
