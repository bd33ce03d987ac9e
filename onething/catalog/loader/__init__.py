"""Reading, validating and writing the catalog files (docs/catalog-format.md).

Validation is pure: it runs over the parsed files before anything touches the
database, and reports every problem with its file, path and field. One module per capability:
files (reading), validation (+ timing: the time, visit and source checks), writing.
"""

from .files import CatalogFiles, CatalogInvalid, Problem, read_catalog
from .validation import CODE_RE, _check_rule, _Checker, check_graphs, validate_catalog
from .writing import dump_yaml

__all__ = [
    "CODE_RE",
    "CatalogFiles",
    "CatalogInvalid",
    "Problem",
    "_Checker",
    "_check_rule",
    "check_graphs",
    "dump_yaml",
    "read_catalog",
    "validate_catalog",
]
