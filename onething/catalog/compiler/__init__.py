"""One-thing version + situation answers → blueprint (一表、一套材料、并联流程、减负数字).

Pure functions over a snapshot dict (see ``snapshot.py``): no database, so the
same code serves the page, the API, the CLI, cases and the property tests. One module per
capability: situations, process, materials, form, reductions, blueprint.
"""

from .blueprint import compile_blueprint, establishes
from .form import (
    CREDIT_PATTERN,
    ID_PATTERN,
    PHONE_PATTERN,
    REGION_PATTERN,
    build_form,
    field_schema,
    produced_fields,
)
from .materials import build_materials
from .process import (
    critical_path,
    dependency_edges,
    find_cycle,
    longest_committed_path,
    stages_of,
)
from .situations import CompileError, resolve_answers, situations

__all__ = [
    "CREDIT_PATTERN",
    "ID_PATTERN",
    "PHONE_PATTERN",
    "REGION_PATTERN",
    "CompileError",
    "build_form",
    "build_materials",
    "compile_blueprint",
    "critical_path",
    "dependency_edges",
    "establishes",
    "field_schema",
    "find_cycle",
    "longest_committed_path",
    "produced_fields",
    "resolve_answers",
    "situations",
    "stages_of",
]
