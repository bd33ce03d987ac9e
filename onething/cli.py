"""The `onething` console entry point.

`onething <command> …` runs the Django management command of that name, so
`onething demo load`, `onething catalog list --format json` and
`onething migrate` all go through one door. `onething run` (the web server and the worker
under one supervisor) starts without loading Django in the supervising process.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:  # the supervisor needs no Django; its two children load it
        from onething.common import supervisor

        return supervisor.main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onething", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
