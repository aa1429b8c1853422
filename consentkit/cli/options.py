"""Options shared by ``consentkit`` and ``consentkit log``."""

from __future__ import annotations

import argparse

from ..config.model import DEFAULT_CONFIG_NAME


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG_NAME,
        metavar="PATH",
        help=f"the config file (default ./{DEFAULT_CONFIG_NAME})",
    )
