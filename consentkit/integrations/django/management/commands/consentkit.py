"""``manage.py consentkit check|init|notice|log ...``: the ``consentkit`` command with the settings' config.

Everything after ``consentkit`` goes to the same command line as the
``consentkit`` program; without ``--config`` it uses ``CONSENTKIT_CONFIG``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from .....cli.main import main
from .....config.model import Config, ConfigError
from ...conf import config_setting, load_settings_config


class Command(BaseCommand):
    help = "consentkit's commands (check, init, notice, log ...) with the config from settings.CONSENTKIT_CONFIG"
    # `init` must work before there is a config, and `check` reports a broken one itself.
    requires_system_checks: list[str] = []  # noqa: RUF012 (Django's declared type)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "arguments", nargs=argparse.REMAINDER, help="as for the consentkit command, e.g. check --strict"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        setting = config_setting()
        preloaded = None
        if isinstance(setting, (dict, Config)):
            name = "settings.CONSENTKIT_CONFIG"
            try:
                preloaded = load_settings_config()
            except ConfigError as error:
                self.stderr.write(f"error: {error}")
                sys.exit(1)
        else:
            name = str(setting)
        status = main(list(options["arguments"]) or ["--help"], default_config=name, preloaded=preloaded)
        if status:
            sys.exit(status)
