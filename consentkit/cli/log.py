"""``consentkit log``: show, export, count, purge and verify the consent log (docs/compliance.md item 12).

Every command finds the log through the config's ``[log] url``. Only ``purge``
writes. ``export``, ``stats`` and ``purge --dry-run`` stream the records, as
the log of a busy site need not fit in memory.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Final, NamedTuple, NoReturn

from ..config.durations import UNITS, Duration, DurationError, parse_duration
from ..config.load import Config, ConfigError
from ..consent import METHODS
from ..log import ConsentRecord, ConsentStore, LogStoreError, open_store
from ..log.insights import insights_from
from ..log.record import format_utc, text_hash_of
from ..log.stats import DayStats, tally
from ..log.verify import check_archive, compare_with_config, texts_of
from ..messages import SUPPORTED_LOCALES
from ..render.renderer import Renderer
from ..render.report import ReportRenderer
from .options import add_command, add_config_option, config_from, settle_config

#: The CSV header: the record's fields, in order (as in ``ConsentRecord.to_json``).
CSV_COLUMNS: Final = tuple(column.name for column in fields(ConsentRecord))
#: Joins the categories in a CSV cell; category names never contain one.
CSV_CATEGORY_SEPARATOR: Final = " "
LIST_COLUMNS: Final = frozenset({"granted", "denied"})

Command = Callable[[argparse.Namespace], int]


class Retention(NamedTuple):
    text: str
    period: timedelta


def since_date(text: str) -> datetime:
    """``--since``: ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 datetime; one without an offset is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; expected YYYY-MM-DD or an ISO datetime such as 2026-11-01T12:00:00Z"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def retention(text: str) -> Retention:
    """``--older-than``: a whole number and a unit, as cookie durations are written ("5 years", "90 days")."""
    expected = f'expected a positive whole number and a unit ({", ".join(UNITS)}), for example "5 years"'
    try:
        seconds = parse_duration(text).seconds
    except DurationError:
        seconds = None
    if seconds is None:  # also "session" and "persistent", which are lifetimes, not periods
        raise argparse.ArgumentTypeError(f"{text!r} is not a retention period; {expected}")
    period = timedelta(seconds=seconds)
    try:
        datetime.now(UTC) - period
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r} reaches back before the year 1; {expected}") from None
    return Retention(text.strip(), period)


def _period(duration: Duration) -> timedelta:
    return timedelta(seconds=duration.seconds or 0)


def _one_line(error: ConfigError) -> str:
    more = len(error.problems) - 1
    details = f" (and {more} more; run `consentkit check --config {error.source}`)" if more else ""
    return f"{error.source}: {error.problems[0] if error.problems else 'is not valid'}{details}"


def _reporting_errors(command: Command) -> Command:
    """Turn every failure a user can cause into one line on stderr and exit status 1, never a traceback."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except BrokenPipeError:
            # The reader (`| head`) has gone: stop quietly, and keep Python from failing on the final flush.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except ConfigError as error:
            print(f"error: {_one_line(error)}", file=sys.stderr)
        except sqlite3.Error as error:  # raised while streaming, after the store has opened
            print(f"error: cannot read the consent log: {error}", file=sys.stderr)
        except (LogStoreError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
        return 1

    return run


def _require_existing_log(url: str) -> None:
    # Opening a missing SQLite file creates an empty log, and a reader would then
    # answer "no records" when the real trouble is a config pointing elsewhere.
    location = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and location != ":memory:" and not Path(location).is_file():
        raise LogStoreError(f"there is no consent log at {location}; check [log] url in the config")


@contextmanager
def _opened_log(args: argparse.Namespace) -> Iterator[tuple[Config, ConsentStore]]:
    config = config_from(args)
    _require_existing_log(config.log_url)
    store = open_store(config.log_url)
    try:
        yield config, store
    finally:
        store.close()


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as file:
        yield file


def _count(number: int) -> str:
    return f"{number} record{'' if number == 1 else 's'}"


def _unknown_id(consent_id: str) -> int:
    print(f"error: the consent log has no record of consent id {consent_id!r}", file=sys.stderr)
    return 1


@_reporting_errors
def cmd_show(args: argparse.Namespace) -> int:
    with _opened_log(args) as (_, store):
        records = store.by_consent_id(args.consent_id)
    if not records:
        return _unknown_id(args.consent_id)
    if args.format == "json":
        print(json.dumps([record.to_json() for record in records], ensure_ascii=False, indent=2))
        return 0
    print(f"consent id {args.consent_id}: {_count(len(records))}, oldest first (times in UTC)")
    for record in records:
        print()
        print(f"{format_utc(record.recorded_at)}  {record.method}")
        print(f"  granted:         {', '.join(record.granted) or 'none'}")
        print(f"  denied:          {', '.join(record.denied) or 'none'}")
        print(f"  policy version:  {record.policy_version}")
        print(f"  locale:          {record.locale}")
        print(f"  text hash:       {record.text_hash}")
    return 0


def write_csv(records: Iterable[ConsentRecord], out: IO[str]) -> int:
    """One header row, then one row per record, written as read; returns the number of records."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for record in records:
        row = record.to_json()
        writer.writerow(CSV_CATEGORY_SEPARATOR.join(row[c]) if c in LIST_COLUMNS else row[c] for c in CSV_COLUMNS)
        written += 1
    return written


def write_jsonl(records: Iterable[ConsentRecord], out: IO[str]) -> int:
    written = 0
    for record in records:
        out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
        written += 1
    return written


@_reporting_errors
def cmd_export(args: argparse.Namespace) -> int:
    write = write_csv if args.format == "csv" else write_jsonl
    with _opened_log(args) as (_, store), _output(args.output) as out:
        written = write(store.records(args.since), out)
    if args.output:
        print(f"wrote {_count(written)} to {args.output}")
    return 0


def _table(header: list[str], rows: list[list[str]], text_columns: int) -> Iterator[str]:
    """Aligned columns: the first ``text_columns`` to the left, the numbers after them to the right."""
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(header))]
    for row in [header, *rows]:
        cells = (
            cell.ljust(w) if i < text_columns else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        yield "  ".join(cells).rstrip()


def _stats_lines(days: dict[date, DayStats], methods: list[str]) -> Iterator[str]:
    yield "Decisions per day (UTC) and how they were given"
    yield from _table(
        ["date", "decisions", *methods],
        [[str(day), str(s.decisions), *(str(s.methods[m]) for m in methods)] for day, s in days.items()],
        text_columns=1,
    )
    yield ""
    yield "Per category"
    rows = []
    for day, stats in days.items():
        for category in stats.categories():
            accepted, rejected = stats.accepted[category], stats.rejected[category]
            share = f"{round(100 * accepted / (accepted + rejected))}%"
            rows.append([str(day), category, str(accepted), str(rejected), share])
    yield from _table(["date", "category", "accepted", "rejected", "accepted %"], rows, text_columns=2)


@_reporting_errors
def cmd_stats(args: argparse.Namespace) -> int:
    with _opened_log(args) as (_, store):
        days = tally(store.records(args.since))
    seen = set().union(*(stats.methods for stats in days.values()))
    methods = [*METHODS, *sorted(seen - set(METHODS))]
    if args.format == "json":
        report = [{"date": str(day), **stats.to_json(methods)} for day, stats in days.items()]
        print(json.dumps({"days": report}, ensure_ascii=False, indent=2))
    elif not days:
        print("no decisions in the log" + (f" since {format_utc(args.since)}" if args.since else ""))
    else:
        print("\n".join(_stats_lines(days, methods)))
    return 0


@_reporting_errors
def cmd_purge(args: argparse.Namespace) -> int:
    with _opened_log(args) as (config, store):
        # Without --older-than, the retention the notice promises visitors ([log] retention).
        older_than = args.older_than or Retention(str(config.log_retention), _period(config.log_retention))
        cutoff = datetime.now(UTC) - older_than.period
        what = f"older than {older_than.text} (recorded before {format_utc(cutoff)})"
        if args.dry_run:
            doomed = sum(1 for record in store.records() if record.recorded_at < cutoff)
            print(f"would delete {_count(doomed)} {what}; nothing was deleted (dry run)")
        else:
            print(f"deleted {_count(store.purge(cutoff))} {what}")
    return 0


@_reporting_errors
def cmd_report(args: argparse.Namespace) -> int:
    if args.until is not None and args.since is not None and args.until <= args.since:
        print("error: --until must be after --since", file=sys.stderr)
        return 1
    with _opened_log(args) as (config, store):
        insights = insights_from(store, args.since, args.until)
        locale = args.locale or config.default_locale
    if args.format == "json":
        text = json.dumps(insights.to_json(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = ReportRenderer(locale, config.controller.name).render(insights, datetime.now(UTC))
    with _output(args.output) as out:
        out.write(text)
    if args.output:
        print(f"wrote the {args.format} report of {insights.total.decisions} decisions to {args.output}")
    return 0


def _verify_record(record: ConsentRecord, store: ConsentStore, renderer: Renderer, printed: set[str]) -> bool:
    """Print what is known about the text behind ``record``; True if that text is proven."""
    config = renderer.config
    stored = store.text(record.text_hash)
    intact, archive_line = check_archive(stored, record.text_hash)
    same_version = record.policy_version == config.policy_version
    rendered = renderer.canonical_texts(record.locale) if same_version else None
    rendered_matches = rendered is not None and text_hash_of(rendered) == record.text_hash
    print()
    print(f"{format_utc(record.recorded_at)}  {record.method}  policy {record.policy_version}  locale {record.locale}")
    print(f"  text hash: {record.text_hash}")
    for line in [archive_line, *compare_with_config(record, config, rendered, stored if intact else None)]:
        print(f"  {line}")
    # Equal hashes mean equal texts, so a matching re-render shows them as well as the archive does.
    proof = stored if intact else rendered if rendered_matches else None
    if proof is None:
        print("  texts shown: unknown")
    elif record.text_hash in printed:
        print("  texts shown: as above")
    else:
        printed.add(record.text_hash)
        print("  texts shown:")
        for number, text in enumerate(texts_of(proof), 1):
            print(f"    {number:2}. {text}")
    tampered = stored is not None and not intact
    return proof is not None and not tampered


@_reporting_errors
def cmd_verify(args: argparse.Namespace) -> int:
    with _opened_log(args) as (config, store):
        records = store.by_consent_id(args.consent_id)
        if not records:
            return _unknown_id(args.consent_id)
        print(f"consent id {args.consent_id}: {_count(len(records))}, oldest first (times in UTC)")
        renderer, printed = Renderer(config), set[str]()
        proven = sum(_verify_record(record, store, renderer, printed) for record in records)
    print()
    if proven == len(records):
        print(f"proven: the text behind every record is known and matches its hash ({_count(proven)})")
        return 0
    print(f"NOT proven: the text behind {len(records) - proven} of {_count(len(records))} is missing or altered")
    return 1


def dashed_id(command: str) -> str:
    """One consent id in 64 starts with "-", which argparse takes for an option unless it follows "--"."""
    return f'a consent id that starts with "-" goes after "--", as in: consentkit log {command} -- -Xq3...'


class _LogCommandParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if "CONSENT_ID" in message:
            message += f"; {dashed_id(self.prog.rpartition(' ')[2])}"
        super().error(message)


def _add_subcommands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(
        dest="log_command", required=True, metavar="LOG_COMMAND", parser_class=_LogCommandParser
    )
    show = add_command(
        commands,
        "show",
        "every record of one consent id, oldest first (access request, proof)",
        "consentkit log show Xq3vB8kz0Pq1rT2sU4wY6A",
    )
    show.add_argument("consent_id", metavar="CONSENT_ID", help=dashed_id("show"))
    show.add_argument("--format", choices=("text", "json"), default="text", help="default text")
    show.set_defaults(run=cmd_show)

    export = add_command(
        commands,
        "export",
        "the whole log as CSV or JSON lines, streamed",
        "consentkit log export --format jsonl --since 2026-11-01 --output log.jsonl",
    )
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default csv")
    export.add_argument("--since", type=since_date, metavar="DATE", help="YYYY-MM-DD (UTC) or an ISO datetime")
    export.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    export.set_defaults(run=cmd_export)

    stats = add_command(
        commands,
        "stats",
        "decisions per day: per category accepted/rejected, per method",
        "consentkit log stats --since 2026-11-01",
    )
    stats.add_argument("--since", type=since_date, metavar="DATE", help="YYYY-MM-DD (UTC) or an ISO datetime")
    stats.add_argument("--format", choices=("text", "json"), default="text", help="default text")
    stats.set_defaults(run=cmd_stats)

    purge = add_command(
        commands,
        "purge",
        "delete the records older than a retention period",
        'consentkit log purge --older-than "5 years" --dry-run',
    )
    purge.add_argument(
        "--older-than",
        type=retention,
        metavar="PERIOD",
        help='e.g. "5 years"; default: the config\'s [log] retention, which the notice states',
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    purge.set_defaults(run=cmd_purge)

    report = commands.add_parser(
        "report",
        help="what visitors chose, per day, category, service, language and policy version",
        description="A self-contained HTML report with charts (or JSON) for the site's marketers. "
        "Example: consentkit log report --since 2026-11-01 --locale nb --output report.html",
    )
    report.add_argument("--since", type=since_date, metavar="DATE", help="YYYY-MM-DD (UTC) or an ISO datetime")
    report.add_argument(
        "--until", type=since_date, metavar="DATE", help="up to, not including, this day (UTC) or datetime"
    )
    report.add_argument("--locale", choices=SUPPORTED_LOCALES, help="the report's language (default: the config's)")
    report.add_argument("--format", choices=("html", "json"), default="html", help="default html")
    report.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    report.set_defaults(run=cmd_report)

    verify = add_command(
        commands,
        "verify",
        "check the text behind each record of a consent id against its hash",
        "consentkit log verify Xq3vB8kz0Pq1rT2sU4wY6A",
    )
    verify.add_argument("consent_id", metavar="CONSENT_ID", help=dashed_id("verify"))
    verify.set_defaults(run=cmd_verify)

    for command in (show, export, stats, report, purge, verify):
        add_config_option(command)


def add_log_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``log`` and its subcommands to the ``consentkit`` parser's subcommands."""
    log = add_command(
        commands,
        "log",
        "show, export, count, report, purge and verify the consent log (docs/compliance.md item 12)",
        "consentkit log stats --since 2026-11-01",
    )
    _add_subcommands(log)


def main(argv: list[str] | None = None) -> int:
    """``consentkit log`` on its own: the same commands, without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="consentkit log", description="The consent log (docs/compliance.md item 12).")
    _add_subcommands(parser)
    args = parser.parse_args(argv)
    settle_config(args)
    return int(args.run(args))
