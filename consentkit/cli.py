"""The ``consentkit`` command: ``check`` and ``init`` (more subcommands join as they land)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from importlib.resources import files
from pathlib import Path

from .categories import ALL_CATEGORIES
from .config import DEFAULT_CONFIG_NAME, Config, ConfigError, load_config
from .texts import SUPPORTED_LOCALES


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG_NAME,
        metavar="PATH",
        help=f"the config file (default ./{DEFAULT_CONFIG_NAME})",
    )


def summary(config: Config) -> list[str]:
    counts = Counter(cookie.category for cookie in config.declarations)
    lines = [
        f"policy version:  {config.policy_version}",
        f"controller:      {config.controller.name} ({config.controller.country})",
        f"locales:         {', '.join(config.locales)} (default {config.default_locale})",
        f"offered:         {', '.join(config.categories) or 'nothing optional (no banner needed)'}",
        f"consent lasts:   {config.consent_max_age_days} days",
        f"undeclared:      {config.undeclared_cookies}",
        f"GPC honoured:    {'yes' if config.honor_gpc else 'no'}",
        "declared:        " + ", ".join(f"{counts[category]} {category}" for category in ALL_CATEGORIES),
        "services:        "
        + (", ".join(f"{service.name} ({service.category})" for service in config.services) or "none"),
        f"consent log:     {config.log_url}",
    ]
    return lines


def cmd_check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    print(f"{args.config}: valid")
    for line in summary(config):
        print(f"  {line}")
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 2 if args.strict and config.warnings else 0


def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.config)
    if target.exists() and not args.force:
        print(f"error: {target} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    starter = files("consentkit").joinpath("data", f"starter.{args.locale}.toml").read_text(encoding="utf-8")
    target.write_text(starter, encoding="utf-8")
    print(f"wrote {target}; edit it, then run: consentkit check --config {target}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="consentkit", description="Cookie consent for WSGI and Flask sites.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate a config file and print a summary")
    _add_config_option(check)
    check.add_argument("--strict", action="store_true", help="exit with status 2 when there are warnings")
    check.set_defaults(run=cmd_check)

    init = commands.add_parser("init", help="write a commented starter config")
    init.add_argument("--locale", choices=SUPPORTED_LOCALES, default="nb", help="language of the starter texts")
    _add_config_option(init)
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=cmd_init)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
