"""The `cakupan` console script: Django's management commands under one name.

`cakupan regions load`, `cakupan demo load`, `cakupan serve`, `cakupan migrate`, ... each is a management
command; subcommands such as `load` are the command's own positional argument.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cakupan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
