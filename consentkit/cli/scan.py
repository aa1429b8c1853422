"""``consentkit scan URL`` and ``consentkit audit URL``: the site in real Chromium (the ``scan`` extra)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..config.load import load_config
from ..scan.audit import AuditOptions, audit
from ..scan.audit_report import render_audit_text, render_junit
from ..scan.browser import ScanUnavailable
from ..scan.classify import ScanClassifier
from ..scan.crawler import ScanError, ScanOptions, scan
from ..scan.progress import Progress
from ..scan.report_html import render_audit_html, render_scan_html
from ..scan.report_json import render_json
from ..scan.report_text import render_text
from ..scan.report_toml import append_to_config, render_toml
from ..scan.visitor import BrowserOptions
from .options import add_command, add_config_option, config_from, front_door_config


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError(f"expected 0 to 600 seconds, got {text}")
    return value


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text


def add_browser_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", type=_url, metavar="URL", help="where the visit starts")
    parser.add_argument(
        "--wait", type=_seconds, default=2.0, metavar="SECONDS", help="after the network settles (default 2)"
    )
    parser.add_argument("--timeout", type=_seconds, default=30.0, metavar="SECONDS", help="for loading one page")
    parser.add_argument(
        "--browser-arg",
        action="append",
        default=[],
        metavar="FLAG",
        help='an extra Chromium flag, repeatable (e.g. "--host-resolver-rules=MAP *.test 127.0.0.1")',
    )
    parser.add_argument(
        "--ignore-https-errors", action="store_true", help="accept self-signed certificates (staging sites)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="answer every host outside the site with an empty response (CI without internet)",
    )


def browser_options(args: argparse.Namespace) -> BrowserOptions:
    return BrowserOptions(
        extra_args=tuple(args.browser_arg),
        ignore_https_errors=args.ignore_https_errors,
        wait=args.wait,
        timeout=args.timeout,
        offline=args.offline,
    )


def write_output(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_scan(args: argparse.Namespace) -> int:
    if args.write and not args.scan_config:
        print("error: --write needs --config PATH, the file to add the entries to", file=sys.stderr)
        return 2
    config = load_config(args.scan_config) if args.scan_config else front_door_config(args)
    options = ScanOptions(
        url=args.url,
        pages=args.pages,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        accept_selector=args.accept_selector,
        browser=browser_options(args),
        screenshot=args.format == "html",
    )
    try:
        result = scan(options, ScanClassifier(config), Progress(sys.stderr))
    except (ScanUnavailable, ScanError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.format == "toml" or args.write:
        entries = render_toml(result, config)
        if args.write:
            if entries:
                append_to_config(Path(args.scan_config), entries, args.url)
                print(f"added {entries.count('[[')} entries to {args.scan_config}", file=sys.stderr)
            else:
                print(f"{args.scan_config} already declares everything the scan found", file=sys.stderr)
        if args.format == "toml":
            write_output(entries, args.output)
            return 0
    renderers: dict[str, Any] = {"table": render_text, "json": render_json, "html": render_scan_html}
    write_output(renderers[args.format](result), args.output)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    config = config_from(args)
    options = AuditOptions(url=args.url, browser=browser_options(args), screenshots=args.format == "html")
    try:
        result = audit(options, ScanClassifier(config))
    except ScanUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the site went away mid-audit: say so, not a traceback
        print(f"error: the audit of {args.url} could not finish: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    if args.junit:
        Path(args.junit).write_text(render_junit(result), encoding="utf-8")
    write_output(render_audit_html(result) if args.format == "html" else render_audit_text(result), args.output)
    return 0 if result.passed else 1


def add_scan_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan_parser = add_command(
        commands,
        "scan",
        "list and classify every cookie and storage key of a site, in Chromium (consentkit[scan])",
        "consentkit scan https://www.example.no/ --config consentkit.toml --format toml",
    )
    add_browser_options(scan_parser)
    scan_parser.add_argument("--pages", type=_positive_int, default=30, metavar="N", help="at most N pages (30)")
    scan_parser.add_argument("--include", action="append", default=[], metavar="GLOB", help="only paths like this")
    scan_parser.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths like this")
    scan_parser.add_argument(
        "--accept-selector", metavar="CSS", help="the accept button of a site without consentkit, for a second pass"
    )
    scan_parser.add_argument("--format", choices=("table", "json", "html", "toml"), default="table")
    scan_parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    # Its own dest: the scan needs no config, and main() fills in ``config`` for the commands that do.
    scan_parser.add_argument(
        "--config", dest="scan_config", metavar="PATH", help="the site's consentkit.toml: what it declares"
    )
    scan_parser.add_argument(
        "--write", action="store_true", help="append the entries the config lacks to --config, with a comment"
    )
    scan_parser.set_defaults(run=cmd_scan)

    audit_parser = add_command(
        commands,
        "audit",
        "check a running consentkit site against docs/compliance.md in Chromium; exit 0 only if all pass",
        "consentkit audit https://www.example.no/ --config consentkit.toml --junit audit.xml",
    )
    add_browser_options(audit_parser)
    add_config_option(audit_parser)
    audit_parser.add_argument("--format", choices=("text", "html"), default="text", help="html adds screenshots")
    audit_parser.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    audit_parser.add_argument("--junit", metavar="FILE", help="also write JUnit XML, one test case per check")
    audit_parser.set_defaults(run=cmd_audit)
