"""The consentkit command: check and init."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import consentkit
from consentkit.cli.main import build_parser, main
from consentkit.config.load import ConfigError, load_config

from .conftest import CONFIGS


def test_check_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(CONFIGS / "issue_example.toml")]) == 0
    out, err = capsys.readouterr()
    assert "valid" in out
    assert "policy version:  2026-11-01" in out
    assert "offered:         functional, analytics" in out
    assert "Google Analytics (analytics)" in out
    assert "declared:        1 necessary, 1 functional, 2 analytics, 0 marketing" in out
    assert "warning: cookies[1].purpose: no text for sv, en" in err


def test_check_strict_fails_on_warnings() -> None:
    assert main(["check", "--strict", "--config", str(CONFIGS / "issue_example.toml")]) == 2


def test_check_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    path.write_text('policy_version = "1"\nhonor_gpc = "yes"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "consentkit", "check", "--config", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'honor_gpc: expected true or false, got "yes"' in result.stderr
    assert "controller: is required" in result.stderr


def test_check_defaults_to_the_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "consentkit.toml is not valid:\n  - file not found" in capsys.readouterr().err


#: Per starter language: its placeholders, and the site's own values that replace them.
STARTERS = {
    "nb": ("NO", {"Firmanavn AS": "Inkasso Nord AS", "personvern@example.no": "personvern@inkassonord.no"}),
    "sv": ("SE", {"Företagsnamn AB": "Inkasso Syd AB", "dataskydd@example.se": "dataskydd@inkassosyd.se"}),
    "en": ("NO", {"Company Name AS": "Inkasso Vest AS", "privacy@example.no": "privacy@inkassovest.no"}),
}


@pytest.mark.parametrize("locale", list(STARTERS))
def test_init_writes_a_starter_that_checks_clean_once_its_placeholders_are_replaced(
    tmp_path: Path, locale: str, capsys: pytest.CaptureFixture[str]
) -> None:
    country, replacements = STARTERS[locale]
    target = tmp_path / "consentkit.toml"
    assert main(["init", "--locale", locale, "--config", str(target)]) == 0
    # As written, --strict flags what the site has to fill in.
    assert main(["check", "--strict", "--config", str(target)]) == 2
    flagged = [line for line in capsys.readouterr().err.splitlines() if "placeholder from the starter" in line]
    assert [line.split(":", 2)[1].strip() for line in flagged] == [
        "controller.name",
        "controller.email",
        "services[0].measurement_id",
    ]
    assert all(placeholder in "".join(flagged) for placeholder in [*replacements, "G-XXXXXXXXXX"])
    text = target.read_text(encoding="utf-8").replace("G-XXXXXXXXXX", "G-7Q2M9K4ZP1")
    for placeholder, own in replacements.items():
        text = text.replace(placeholder, own)
    target.write_text(text, encoding="utf-8")
    config = load_config(target)
    assert config.default_locale == locale
    assert config.controller.country == country
    assert config.warnings == ()
    assert main(["check", "--strict", "--config", str(target)]) == 0


@pytest.mark.parametrize(
    ("value", "flagged"),
    [
        pytest.param("kontakt@example.no", True, id="example.no"),
        pytest.param("post@www.example.com", True, id="example.com-subdomain"),
        pytest.param("dpo@firma.test", True, id="reserved-tld"),
        pytest.param("personvern@eksempel.no", False, id="a-real-looking-domain"),
        pytest.param("kontakt@notexample.no", False, id="only-a-suffix"),
    ],
)
def test_strict_check_flags_example_addresses(tmp_path: Path, value: str, flagged: bool) -> None:
    path = tmp_path / "site.toml"
    path.write_text((CONFIGS / "issue_example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    email = text.split("email = ", 1)[1].split("\n", 1)[0]
    path.write_text(text.replace(f"email = {email}", f'email = "{value}"', 1), encoding="utf-8")
    warnings = [warning for warning in load_config(path).warnings if warning.startswith("controller.email")]
    assert bool(warnings) is flagged


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"consentkit {consentkit.__version__}\n"


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield sub
                yield from _subcommands(sub)


def test_every_subcommand_describes_itself_with_an_example_of_itself() -> None:
    subcommands = list(_subcommands(build_parser()))
    assert {sub.prog for sub in subcommands} >= {
        "consentkit check",
        "consentkit init",
        "consentkit notice",
        "consentkit log",
        "consentkit log show",
        "consentkit log export",
        "consentkit log stats",
        "consentkit log purge",
        "consentkit log verify",
    }
    for sub in subcommands:
        assert sub.description, sub.prog
        assert f"Example: {sub.prog}" in sub.description, sub.prog


def test_log_verify_help_shows_a_verify_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["log", "verify", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "consentkit log verify -- -Xq3" in help_text
    assert "log show" not in help_text


def test_a_missing_config_suggests_an_init_that_writes_that_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--config", "conf/site settings.toml"]) == 1
    suggested = capsys.readouterr().err.split("`")[1]
    assert suggested == "consentkit init --locale nb --config 'conf/site settings.toml'"
    assert main(shlex.split(suggested)[1:]) == 0
    assert main(["check", "--config", "conf/site settings.toml"]) == 0
    # The starter's own comment tells how to check the file it was written to.
    assert "consentkit check --config 'conf/site settings.toml'" in (tmp_path / "conf/site settings.toml").read_text(
        encoding="utf-8"
    )


def test_the_default_config_is_suggested_without_a_config_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "`consentkit init --locale nb`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("locale", "hint"),
    [
        pytest.param("no", 'Norwegian bokmål is "nb"', id="no"),
        pytest.param("dk", 'Danish is "da"', id="dk"),
        pytest.param("fi-FI", 'write the language alone: "fi"', id="fi-FI"),
        pytest.param("nb-NO", 'write the language alone: "nb"', id="nb-NO"),
        pytest.param("sv_SE", 'write the language alone: "sv"', id="sv_SE"),
        pytest.param("se", 'Swedish is "sv"', id="se"),
    ],
)
def test_a_near_miss_locale_gets_a_hint(tmp_path: Path, locale: str, hint: str) -> None:
    path = tmp_path / "consentkit.toml"
    text = (CONFIGS / "issue_example.toml").read_text(encoding="utf-8")
    path.write_text(f'locales = ["{locale}"]\n' + text.replace("locales =", "# locales ="), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert any(f'locales[0]: "{locale}" is not a supported locale' in p and hint in p for p in caught.value.problems)


def test_a_config_that_is_not_utf8_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    path.write_bytes('policy_version = "1"\n[controller]\nname = "Bl\u00e5b\u00e6r AS"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == ["line 3: byte 0xe5 is not UTF-8; save the file as UTF-8 (Unicode) and try again"]


def test_init_comments_are_in_the_chosen_language(tmp_path: Path) -> None:
    target = tmp_path / "consentkit.toml"
    main(["init", "--locale", "sv", "--config", str(target)])
    assert "# Kontrollera filen med" in target.read_text(encoding="utf-8")


def test_init_does_not_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "consentkit.toml"
    target.write_text("mine", encoding="utf-8")
    assert main(["init", "--config", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "mine"
    assert "use --force" in capsys.readouterr().err
    assert main(["init", "--force", "--config", str(target)]) == 0
    assert "policy_version" in target.read_text(encoding="utf-8")
