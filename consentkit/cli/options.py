"""Options and subcommand set-up shared by ``consentkit`` and ``consentkit log``."""

from __future__ import annotations

import argparse
from typing import TypeVar

from ..config.load import load_config
from ..config.model import DEFAULT_CONFIG_NAME, Config

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
    # None until settle_config: a front door (Django) may have its own default.
    parser.add_argument("--config", metavar="PATH", help=f"{what} (default ./{DEFAULT_CONFIG_NAME})")


def settle_config(
    args: argparse.Namespace, default: str = DEFAULT_CONFIG_NAME, preloaded: Config | None = None
) -> None:
    """Fill in ``--config`` when it was not given: ``default``, or ``preloaded``, a config a front
    door has already read (Django's ``CONSENTKIT_CONFIG`` may be a dict). An explicit ``--config`` wins."""
    if getattr(args, "config", None) is None:
        args.config = default
        args.preloaded_config = preloaded
    else:
        args.preloaded_config = None


def front_door_config(args: argparse.Namespace) -> Config | None:
    """The config a front door (Django's ``CONSENTKIT_CONFIG``) supplies, for a command whose config
    is optional (``scan``): None when the command runs as plain ``consentkit`` without ``--config``."""
    if getattr(args, "preloaded_config", None) is None and args.config == DEFAULT_CONFIG_NAME:
        return None
    return config_from(args)


def config_from(args: argparse.Namespace) -> Config:
    """The config a command works on (see ``settle_config``)."""
    preloaded = getattr(args, "preloaded_config", None)
    return preloaded if isinstance(preloaded, Config) else load_config(args.config)
