"""The `juli` console command: Django's management commands under the project's name.

`juli demo`, `juli areas`, `juli serve`, `juli migrate` … are all management commands.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["juli", *sys.argv[1:]])


if __name__ == "__main__":
    main()
