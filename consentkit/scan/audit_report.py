"""An audit's result as text for a terminal and as JUnit XML, so that a site's CI shows each check as a test."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from .checks import AuditResult


def render_audit_text(result: AuditResult) -> str:
    lines = [f"consent audit of {result.url}", ""]
    for check in result.checks:
        lines.append(f"{'PASS' if check.passed else 'FAIL'}  {check.title} ({check.cites})")
        lines += [f"      {line}" for line in check.evidence]
    passed = sum(check.passed for check in result.checks)
    lines += ["", f"{passed} of {len(result.checks)} checks passed"]
    return "\n".join(lines) + "\n"


def render_junit(result: AuditResult) -> str:
    """One ``<testcase>`` per check; a failed check carries its problems, every check its evidence."""
    failures = sum(not check.passed for check in result.checks)
    suites = Element("testsuites", name="consentkit audit", tests=str(len(result.checks)), failures=str(failures))
    suite = SubElement(
        suites,
        "testsuite",
        name=f"consentkit audit {result.url}",
        tests=str(len(result.checks)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for check in result.checks:
        case = SubElement(
            suite, "testcase", classname="consentkit.audit", name=f"{check.key}: {check.title} ({check.cites})"
        )
        if not check.passed:
            failure = SubElement(case, "failure", message="; ".join(check.problems), type="ComplianceFailure")
            failure.text = "\n".join(check.problems)
        SubElement(case, "system-out").text = "\n".join(check.evidence)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(suites, encoding="unicode") + "\n"
