"""The `onething` console entry point.

`onething <command> …` runs the Django management command of that name, so
`onething demo load`, `onething catalog list --format json` and
`onething migrate` all go through one door; `serve` is a small convenience.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["onething", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
