"""Pages: apply (one form, one set of materials), the window, the department queue, a case.

By capability; ``urls.py`` and callers keep ``views.apply`` and the like:

- ``applying``: the apply page, its autosave, and saving, previewing, submitting or discarding
  a draft;
- ``apply_page``: what the apply page shows (fields, material rows, regions to choose from);
- ``case_page``: the cases list with the window and task queues, and one case's page;
- ``case_actions``: acceptance, a task's decision, a supplement, a commitment's fulfilment.
"""

from .apply_page import _field_rows  # noqa: F401 - a test checks the rows it builds
from .applying import apply, autosave, discard
from .case_actions import accept, decide, fulfil, supplement
from .case_page import detail, index, material

__all__ = [
    "accept",
    "apply",
    "autosave",
    "decide",
    "detail",
    "discard",
    "fulfil",
    "index",
    "material",
    "supplement",
]
