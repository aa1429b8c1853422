"""The ``consentkit`` command: ``check``, ``init``, ``notice``, ``log``, ``scan`` and ``audit``."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from collections import Counter
from importlib.resources import files
from pathlib import Path

from .. import __version__
from ..categories import ALL_CATEGORIES
from ..config.load import DEFAULT_CONFIG_NAME, Config, ConfigError
from ..messages import SUPPORTED_LOCALES
from ..render.renderer import Renderer
from .log import add_log_commands
from .options import add_command, add_config_option, config_from, settle_config
from .scan import add_scan_commands


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
    config = config_from(args)
    print(f"{args.config}: valid")
    for line in summary(config):
        print(f"  {line}")
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 2 if args.strict and config.warnings else 0


def cmd_init(args: argparse.Namespace) -> int:
    if getattr(args, "preloaded_config", None) is not None:
        print(f"error: {args.config} is not a file; name the file to write with --config PATH", file=sys.stderr)
        return 1
    target = Path(args.config)
    if target.exists() and not args.force:
        print(f"error: {target} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    starter = files("consentkit").joinpath("data", f"starter.{args.locale}.toml").read_text(encoding="utf-8")
    check = f"consentkit check --config {shlex.quote(str(target))}"
    # The starter's own first lines tell how to check it: with the path it was written to.
    starter = starter.replace(f"consentkit check --config {DEFAULT_CONFIG_NAME}", check, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter, encoding="utf-8")
    print(f"wrote {target}; replace its placeholders (company, addresses, ids), then run: {check} --strict")
    return 0


def render_notice(config: Config, locale: str, output_format: str, prefix: str) -> str:
    renderer = Renderer(config)
    if output_format == "markdown":
        return renderer.notice_markdown(locale)
    return str(renderer.notice(locale=locale, base=prefix.rstrip("/"), consent=None, page=True))


def cmd_notice(args: argparse.Namespace) -> int:
    config = config_from(args)
    extension = "md" if args.format == "markdown" else "html"
    if args.output_dir:
        folder = Path(args.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for locale in config.locales:
            target = folder / f"{Path(args.config).stem}.{locale}.{extension}"
            target.write_text(render_notice(config, locale, args.format, args.prefix), encoding="utf-8")
            print(f"wrote {target}")
        return 0
    locale = args.locale or config.default_locale
    if locale not in config.locales:
        print(f"error: {locale} is not in the config's locales ({', '.join(config.locales)})", file=sys.stderr)
        return 1
    text = render_notice(config, locale, args.format, args.prefix)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="consentkit", description="Cookie consent for WSGI and Flask sites.")
    parser.add_argument("--version", action="version", version=f"consentkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = add_command(
        commands, "check", "validate a config file and print a summary", "consentkit check --config site.toml --strict"
    )
    add_config_option(check)
    check.add_argument(
        "--strict", action="store_true", help="exit with status 2 when there are warnings (placeholders left too)"
    )
    check.set_defaults(run=cmd_check)

    init = add_command(
        commands, "init", "write a commented starter config", "consentkit init --locale sv --config site.toml"
    )
    init.add_argument("--locale", choices=SUPPORTED_LOCALES, default="nb", help="language of the starter texts")
    add_config_option(init, "the file to write")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=cmd_init)

    notice = add_command(
        commands,
        "notice",
        "render the cookie notice for a static page",
        "consentkit notice --locale sv --format markdown --output cookies.sv.md",
    )
    add_config_option(notice)
    notice.add_argument("--locale", choices=SUPPORTED_LOCALES, help="default: the config's default_locale")
    notice.add_argument("--format", choices=("html", "markdown"), default="html")
    target = notice.add_mutually_exclusive_group()
    target.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    target.add_argument("--output-dir", metavar="DIR", help="write every locale of the config into DIR")
    notice.add_argument("--prefix", default="/consentkit", help="where the site serves consentkit's URLs")
    notice.set_defaults(run=cmd_notice)

    add_log_commands(commands)
    add_scan_commands(commands)
    return parser


def main(
    argv: list[str] | None = None, *, default_config: str = DEFAULT_CONFIG_NAME, preloaded: Config | None = None
) -> int:
    """Run one command. Without ``--config``, the config is ``default_config``, or ``preloaded``
    if a front door has already read it (see ``settle_config``)."""
    # Commands print config warnings themselves (check) or do not need them; without this,
    # logging's last-resort handler would print each one to stderr a second time.
    logging.getLogger("consentkit").addHandler(logging.NullHandler())
    args = build_parser().parse_args(argv)
    settle_config(args, default_config, preloaded)
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
