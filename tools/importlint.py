"""An import-linter contract: apps import each other only through their declared public modules.

import-linter's own ``protected`` contract needs every private module listed; here it is the
other way round, so a new module is private until it is declared public in pyproject.toml.
"""

import grimp
from importlinter import Contract, ContractCheck, fields, output


class PublicModulesContract(Contract):
    """Each direct import from one app into another must land in a public module of the target.

    Configuration:
        - apps: the apps' packages (e.g. ``onething.cases``).
        - public: module names public in every app (e.g. ``services``, ``selectors``).
        - also_public: further public modules, full dotted names (e.g. ``onething.cases.signals``).
        - unrestricted: packages any app may import whole (the bottom layer, e.g. ``onething.common``).
        - exempt_importers: importers the rule does not bind (the apps' own tests).
    """

    type_name = "public_modules"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    also_public = fields.ListField(subfield=fields.StringField(), required=False)
    unrestricted = fields.ListField(subfield=fields.StringField(), required=False)
    exempt_importers = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        illegal = []
        for importer in sorted(graph.modules):
            source = self._app_of(importer)
            if source is None or self._exempt(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = self._app_of(imported)
                if target not in (None, source) and not self._public(target, imported):
                    details = graph.get_import_details(importer=importer, imported=imported)
                    illegal.append((importer, imported, [d["line_number"] for d in details]))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["illegal"]:
            where = ", ".join(map(str, lines))
            output.print_error(f"- {importer} -> {imported} (l.{where})", bold=False)
            output.new_line()
        output.print("Import the app's services, selectors or a module declared public instead.")

    def _app_of(self, module: str) -> str | None:
        for app in self.apps:  # type: ignore[attr-defined]
            if module == app or module.startswith(app + "."):
                return app
        return None

    def _exempt(self, module: str) -> bool:
        return any(_within(module, e) for e in self.exempt_importers or [])  # type: ignore

    def _public(self, app: str, module: str) -> bool:
        if module == app or any(_within(app, u) for u in self.unrestricted or []):  # type: ignore
            return True
        first = module[len(app) + 1 :].split(".")[0]
        if first in self.public:  # type: ignore[operator]
            return True
        return any(_within(module, p) for p in self.also_public or [])  # type: ignore


def _within(module: str, package: str) -> bool:
    """``module`` is ``package`` or below it; ``*`` in ``package`` matches one name."""
    mod, pkg = module.split("."), package.split(".")
    return len(mod) >= len(pkg) and all(p in ("*", m) for m, p in zip(mod, pkg, strict=False))
