"""The hand-written SQL layer stays fenced: only where the intake benchmark showed it pays.

``bench/intake/README.md`` measured it on the case submission's own statements (the key claim,
the case, its materials and commitments, its event, audit row and notice, the uploads read, the
key's completion), the applicant's registry record read during the submission, and the API token
read every API call starts with. Every other event, audit row and notification is written by the
ORM. A new user of ``hotsql`` must show its figures and be added here.
"""

import ast
from pathlib import Path

import onething

ROOT = Path(onething.__file__).resolve().parent
ALLOWED = {
    "onething/cases/services/submission.py": "the submission's statements",
    "onething/cases/services/preparation.py": "the submission's read of its uploads",
    "onething/registry/selectors.py": "the applicant's registry record, read by the submission",
    "onething/accounts/services.py": "the API token read (token_authenticate)",
    "onething/common/tests/test_hotsql.py": "the layer's own tests",
}


def _imports_hotsql(tree: ast.AST, package: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name == "onething.common.hotsql" for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base == "onething.common.hotsql":
                return True
            if base == "onething.common" and any(a.name == "hotsql" for a in node.names):
                return True
    return False


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


def _users() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).as_posix()
        package = ".".join(Path(rel).with_suffix("").parts[:-1])
        if path.name == "__init__.py":
            package = ".".join(Path(rel).parent.parts)
        if _imports_hotsql(ast.parse(path.read_text(encoding="utf-8")), package):
            found.add(rel)
    return found


def test_only_the_benchmarked_modules_import_hotsql():
    assert _users() - set(ALLOWED) == set(), "hotsql used outside the fence (see this module)"


def test_every_allowed_module_still_uses_it():
    # A module that stopped using it leaves the fence wider than it needs to be.
    assert set(ALLOWED) - _users() == set()


def test_the_scan_sees_relative_and_absolute_imports():
    assert _imports_hotsql(ast.parse("from . import hotsql"), "onething.common")
    assert _imports_hotsql(ast.parse("from ..common import hotsql"), "onething.cases")
    assert _imports_hotsql(ast.parse("from onething.common.hotsql import select"), "x")
    assert _imports_hotsql(ast.parse("import onething.common.hotsql"), "x")
    assert not _imports_hotsql(ast.parse("from onething.common import audit"), "onething.cases")
