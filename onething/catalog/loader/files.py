"""Reading the catalog files: each entry paired with the file it came from."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.path}: {self.message}"


class CatalogInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"目录文件有 {len(problems)} 处错误")
        self.problems = problems


@dataclass
class CatalogFiles:
    """The parsed catalog, each list entry paired with the file it came from."""

    departments: list[tuple[str, dict]] = field(default_factory=list)
    license_types: list[tuple[str, dict]] = field(default_factory=list)
    data_elements: list[tuple[str, dict]] = field(default_factory=list)
    materials: list[tuple[str, dict]] = field(default_factory=list)
    items: list[tuple[str, dict]] = field(default_factory=list)
    onethings: list[tuple[str, dict]] = field(default_factory=list)
    oneclasses: list[tuple[str, dict]] = field(default_factory=list)
    synonyms: list[tuple[str, dict]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


LIST_FILES = {
    "departments": "departments.yaml",
    "license_types": "license_types.yaml",
    "data_elements": "data_elements.yaml",
    "materials": "materials.yaml",
    "oneclasses": "oneclasses.yaml",
    "synonyms": "synonyms.yaml",
}


def _load_yaml(path: Path, root: Path, problems: list[Problem]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path.relative_to(root)), "/", f"不是合法的 YAML：{exc}"))
        return None


def _load_list(path: Path, root: Path, problems: list[Problem]) -> list[tuple[str, dict]]:
    name = str(path.relative_to(root))
    doc = _load_yaml(path, root, problems)
    if doc is None:
        return []
    if not isinstance(doc, list) or not all(isinstance(x, dict) for x in doc):
        problems.append(Problem(name, "/", "文件内容应为对象列表"))
        return []
    return [(name, entry) for entry in doc]


def read_catalog(root: Path) -> CatalogFiles:
    root = Path(root)
    files = CatalogFiles()
    if not root.is_dir():
        files.problems.append(Problem(str(root), "/", "目录不存在"))
        return files
    for attr, name in LIST_FILES.items():
        if (root / name).exists():
            setattr(files, attr, _load_list(root / name, root, files.problems))
    for path in sorted((root / "items").glob("*.yaml")):
        files.items += _load_list(path, root, files.problems)
    for path in sorted((root / "onethings").glob("*.yaml")):
        doc = _load_yaml(path, root, files.problems)
        if isinstance(doc, dict):
            files.onethings.append((str(path.relative_to(root)), doc))
        elif doc is not None:
            files.problems.append(Problem(str(path.relative_to(root)), "/", "文件内容应为一个对象"))
    return files
