"""The `cakupan` console script: Django's management commands under one name.

`cakupan regions load`, `cakupan demo load`, `cakupan serve`, `cakupan migrate`, ... each is a management
command; subcommands such as `load` are the command's own positional argument.
"""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["calc"]:
        # Pure calculations need no Django: skip its start-up (about a second), as scripts run it per case.
        from cakupan.calculations.console import main as calc_main

        sys.exit(calc_main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakupan.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from cakupan.core.audit import command_audited

    # Every write made through the command line names the OS account that ran it (core/audit.py).
    with command_audited():
        execute_from_command_line(["cakupan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
