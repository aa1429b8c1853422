"""Options and subcommand set-up shared by ``consentkit`` and ``consentkit log``."""

from __future__ import annotations

import argparse
from typing import TypeVar

from ..config.model import DEFAULT_CONFIG_NAME

Parser = TypeVar("Parser", bound=argparse.ArgumentParser)


def add_command(commands: argparse._SubParsersAction[Parser], name: str, summary: str, example: str) -> Parser:
    """A subcommand whose own ``--help`` says what it does and shows an example.

    argparse shows ``help`` only in the parent's list of commands; the
    subcommand's page needs its ``description``.
    """
    return commands.add_parser(
        name, help=summary, description=f"{summary[:1].upper()}{summary[1:]}. Example: {example}"
    )


def add_config_option(parser: argparse.ArgumentParser, what: str = "the config file") -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG_NAME,
        metavar="PATH",
        help=f"{what} (default ./{DEFAULT_CONFIG_NAME})",
    )
