"""``consentkit audit``: the checklist of docs/compliance.md, run in Chromium against a consentkit site.

Each step starts a new visitor (a fresh profile) and records evidence: the cookies and storage
keys present, classified with the site's config, and the requests made to hosts of known
services. A check passes only when the browser saw nothing against it. Items 1-7, 10 and 13
are checked as far as a browser can see them, and the config is compared with what was found
(item 15: every cookie listed, with its real lifetime).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from ..categories import NECESSARY, OPTIONAL_CATEGORIES
from .audit_banner import ACCEPT, BANNER, REJECT, check_buttons, check_checkboxes
from .browser import require_playwright
from .checks import AuditResult, Check
from .classify import ScanClassifier
from .lifetimes import LIFETIME_SLACK_DAYS, as_written, outlives
from .sites import host_matches, host_of, party, registrable_domain, same_site, without_fragment
from .visitor import BrowserOptions, Visitor, visitor

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Playwright

SETTINGS_LINK: Final = "[data-consentkit-open]"
DIALOG: Final = "#consentkit-dialog"

#: Consent may last at most 13 months (docs/compliance.md item 13).
MAX_CONSENT_DAYS: Final = 395


@dataclass(frozen=True)
class AuditOptions:
    url: str
    browser: BrowserOptions = field(default_factory=BrowserOptions)
    screenshots: bool = False


def audit(options: AuditOptions, classifier: ScanClassifier) -> AuditResult:
    """Run every check against the running site at ``options.url``."""
    sync_api = require_playwright()
    with sync_api.sync_playwright() as playwright:
        return _Audit(playwright, options, classifier).run()


class _Audit:
    def __init__(self, playwright: Playwright, options: AuditOptions, classifier: ScanClassifier) -> None:
        self.playwright = playwright
        self.options = options
        self.classifier = classifier
        self.start = without_fragment(options.url)
        self.site_domain = registrable_domain(host_of(self.start))
        #: Every cookie met in any step, for the declared-versus-found check: name -> (domain, days left).
        self.met: dict[str, tuple[str, float | None]] = {}
        self.pages: list[str] = [self.start]

    def run(self) -> AuditResult:
        checks = [
            *self.first_visit(),
            self.reject(),
            *self.accept_then_withdraw(),
            self.gpc(),
            self.declared_versus_found(),
        ]
        return AuditResult(self.start, checks)

    # -- the steps ---------------------------------------------------------------------------------

    def first_visit(self) -> list[Check]:
        stored = Check("first-visit", "A new visitor: nothing optional stored, no tracker host asked", (1,))
        clear_act = Check("no-implied-consent", "Scrolling and browsing on are not consent", (6,))
        layer = Check("reject-on-first-layer", "Reject all beside Accept all on the first layer", (2,))
        equal = Check("equal-buttons", "Reject as prominent as accept: one size and style, contrast 4.5:1+", (3,))
        unticked = Check("nothing-pre-ticked", "No optional category ticked in advance, one per category", (4, 5))
        with self._visitor() as first:
            first.open(self.start)
            self._shoot(first, stored, "The first page, as a new visitor sees it")
            banner = first.page.locator(BANNER).count() > 0
            if banner:
                check_buttons(first.page, layer, equal)
                offered = self.classifier.config.categories if self.classifier.config else ()
                check_checkboxes(first.page, offered, unticked)
            else:
                for check in (layer, equal, unticked):
                    check.fail(f"no consentkit banner ({BANNER}) on {self.start}")
            first.page.mouse.wheel(0, 2000)
            for url in self._links(first)[:2]:
                first.open(url)
                self.pages.append(url)
            self._expect_nothing_optional(first, stored, first.observer.requests)
            if not banner:
                clear_act.fail(f"no consentkit banner ({BANNER}) on {self.start}")
            elif first.page.locator(BANNER).count() == 0:
                clear_act.fail(f"the banner is gone after scrolling and opening {first.page.url}")
            else:
                clear_act.evidence.append(f"scrolled, opened {len(self.pages) - 1} more page(s): the banner still asks")
            self._shoot(first, clear_act, f"After browsing on: {first.page.url}")
        return [stored, clear_act, layer, equal, unticked]

    def reject(self) -> Check:
        check = Check("reject", "Reject all, then three pages: the site works, nothing optional", (7, 13))
        with self._visitor() as rejecting:
            rejecting.open(self.start)
            if not self._click(rejecting, REJECT, check):
                return check
            before = Counter(rejecting.observer.requests)
            for url in self._three_pages():
                status = rejecting.open(url)
                text = rejecting.page.inner_text("body").strip()
                if (status is not None and status >= 400) or not text:
                    check.fail(f"{url} answered {status} with {len(text)} characters of text after a reject")
                else:
                    check.evidence.append(f"{url}: {status}, {len(text)} characters of text")
                if rejecting.page.locator(BANNER).count():
                    check.fail(f"the banner asks again on {url}: a refusal must be remembered")
            self._shoot(rejecting, check, f"After a reject and three pages: {rejecting.page.url}")
            self._expect_nothing_optional(rejecting, check, rejecting.observer.requests - before)
            self._check_consent_lifetime(rejecting, check)
        return check

    def accept_then_withdraw(self) -> list[Check]:
        """One visitor accepts all and browses, then withdraws the tracking categories on another page."""
        accept = Check("accept", "Accept all: the declared services load", (5,))
        withdraw = Check("withdraw", "Withdrawing from the settings link on another page", (10,))
        with self._visitor() as visit:
            visit.open(self.start)
            if not self._click(visit, ACCEPT, accept):
                withdraw.fail(accept.problems[0])
                return [accept, withdraw]
            for url in self._three_pages():
                visit.open(url)
            self._shoot(visit, accept, f"After accepting all: {visit.page.url}")
            self._remember(visit)
            self._check_services_loaded(set(visit.observer.requests), accept)
            self._withdraw(visit, withdraw)
        return [accept, withdraw]

    def _check_services_loaded(self, requested: set[str], check: Check) -> None:
        for service in self.classifier.config.services if self.classifier.config else ():
            hosts = (*service.script_hosts, *service.preset.iframe_hosts)
            seen = sorted(host for host in requested if host_matches(host, hosts))
            if seen:
                check.evidence.append(f"{service.name}: requested {', '.join(seen)}")
            elif service.preset.iframe_hosts:
                check.evidence.append(f"{service.name}: an embed, not on the pages opened (no check)")
            else:
                check.fail(f"{service.name} is declared but none of {', '.join(service.script_hosts)} was asked")

    def _withdraw(self, visit: Visitor, check: Check) -> None:
        offered = self.classifier.config.categories if self.classifier.config else OPTIONAL_CATEGORIES
        # The tracking categories, where withdrawal matters most; functional only when nothing else is offered.
        withdrawn = [category for category in offered if category != "functional"] or list(offered)
        other = self._three_pages()[1]
        visit.open(other)
        link = visit.page.locator(SETTINGS_LINK).first
        if not link.count():
            check.fail(f"no settings link ({SETTINGS_LINK}) on {other}")
            return
        link.click()
        dialog = visit.page.locator(DIALOG)
        try:
            dialog.wait_for(state="visible", timeout=5000)
        except Exception:
            check.fail(f"the settings link on {other} did not open the settings dialog")
            return
        for category in withdrawn:
            dialog.locator(f'input[name="category"][value="{category}"]').uncheck()
        self._shoot(visit, check, f"The settings dialog on {other}, {', '.join(withdrawn)} switched off")
        _submit(visit, dialog.locator('button[name="choice"][value="custom"]'))
        check.evidence.append(f"withdrew {', '.join(withdrawn)} on {other}")
        stored = [(side, line) for category, side, line in self._stored(visit) if category in withdrawn]
        left = [line for side, line in stored if side == "first"]
        for line in left:
            check.fail(f"still stored after the withdrawal: {line}")
        for line in (line for side, line in stored if side == "third"):
            # Item 10 asks for the site's own: a third party's cookie is out of the site's reach.
            check.evidence.append(f"a third party's, the site cannot delete it (its host must not be asked): {line}")
        before = Counter(visit.observer.requests)
        visit.open(self.start)
        asked = self._trackers(visit.observer.requests - before, withdrawn)
        for line in asked:
            check.fail(f"asked after the withdrawal: {line}")
        if not left and not asked:
            check.evidence.append(f"nothing of {', '.join(withdrawn)} stored or asked afterwards")

    def gpc(self) -> Check:
        check = Check("gpc", "Sec-GPC: 1 from a new visitor: no trackers", (1,))
        with self._visitor({"Sec-GPC": "1"}) as gpc:
            for url in self._three_pages():
                gpc.open(url)
            self._shoot(gpc, check, f"With Global Privacy Control: {gpc.page.url}")
            self._expect_nothing_optional(gpc, check, gpc.observer.requests)
        return check

    def declared_versus_found(self) -> Check:
        check = Check("declared", "Every cookie found is declared, with its real lifetime or longer", (14, 15))
        if self.classifier.config is None:
            check.fail("no config to compare with (--config)")
            return check
        for name, (domain, days) in sorted(self.met.items()):
            verdict = self.classifier.name(name)
            if not verdict.declared:
                check.fail(f"cookie {name} on {domain} is not declared ({verdict.category}, {verdict.classified_by})")
                continue
            declared = verdict.declaration.duration if verdict.declaration else None
            real = as_written(days)
            if declared is None:
                check.evidence.append(f"{name}: declared, {real}")
            elif problem := outlives(declared, days):
                check.fail(f"cookie {name} is {problem}")
            else:
                check.evidence.append(f"{name}: declared {declared}, lasts {real}")
        return check

    # -- helpers ---------------------------------------------------------------------------------------

    def _visitor(self, headers: dict[str, str] | None = None) -> AbstractContextManager[Visitor]:
        return visitor(self.playwright, self.options.browser, self.site_domain, extra_headers=headers)

    def _links(self, visit: Visitor) -> list[str]:
        found = []
        for link in visit.links():
            link = without_fragment(link)
            own = urlsplit(link).path.startswith("/consentkit/")  # the notice is consentkit's, not the site's
            if same_site(link, self.site_domain) and not own and link not in found and link != visit.page.url:
                found.append(link)
        return found

    def _three_pages(self) -> list[str]:
        pages = self.pages + [self.start] * 3
        return pages[:3]

    def _click(self, visit: Visitor, selector: str, check: Check) -> bool:
        button = visit.page.locator(selector)
        if not button.count():
            check.fail(f"no consentkit banner button ({selector}) on {visit.page.url}")
            return False
        _submit(visit, button.first)
        return True

    def _check_consent_lifetime(self, visit: Visitor, check: Check) -> None:
        for cookie in visit.context.cookies():
            if cookie["name"] == "consentkit":
                days = (cookie["expires"] - time.time()) / 86_400
                if cookie["expires"] < 0:
                    check.fail("the refusal lasts only for the session: the visitor is asked again tomorrow")
                elif days > MAX_CONSENT_DAYS + LIFETIME_SLACK_DAYS:
                    check.fail(f"the consent cookie lasts {days:.0f} days, more than 13 months")
                else:
                    check.evidence.append(f"the refusal is remembered for {as_written(days)}")
                return
        check.fail("no consentkit cookie after a reject: the refusal is not remembered")

    def _stored(self, visit: Visitor) -> list[tuple[str, str, str]]:
        """Category, party and description (``cookie _ga (analytics, service:...) on .example.no``) of
        each non-necessary cookie and storage key present now."""
        entries = [("cookie", cookie["name"], cookie["domain"], cookie["domain"]) for cookie in visit.context.cookies()]
        entries += [
            (kind, key, origin, host_of(origin)) for origin, kind, key in visit.observer.storage_now(visit.page)
        ]
        found = []
        for kind, name, where, host in entries:
            verdict = self.classifier.name(name)
            if verdict.category != NECESSARY:
                line = f"{kind} {name} ({verdict.category}, {verdict.classified_by}) on {where}"
                found.append((verdict.category, party(host, self.site_domain), line))
        return found

    def _trackers(self, requests: Counter[str], categories: Iterable[str] | None = None) -> list[str]:
        wanted = None if categories is None else set(categories)
        found = []
        for host, count in sorted(requests.items()):
            service = self.classifier.host(host)
            if service is None or service.category == NECESSARY or same_site(f"https://{host}/", self.site_domain):
                continue
            if wanted is None or service.category in wanted:
                found.append(f"{host} ({service.name}, {service.category}) ×{count}")
        return found

    def _expect_nothing_optional(self, visit: Visitor, check: Check, requests: Counter[str]) -> None:
        self._remember(visit)
        stored = self._stored(visit)
        trackers = self._trackers(requests)
        for _, _, line in stored:
            check.fail(f"stored: {line}")
        for line in trackers:
            check.fail(f"asked: {line}")
        if not stored and not trackers:
            names = sorted(cookie["name"] for cookie in visit.context.cookies())
            check.evidence.append(f"only necessary cookies ({', '.join(names) or 'none'}), no tracker host asked")

    def _remember(self, visit: Visitor) -> None:
        for sighting in visit.observer.cookies.values():
            days = None if sighting.expires < 0 else (sighting.expires - sighting.seen_at) / 86_400
            self.met.setdefault(sighting.name, (sighting.domain, days))

    def _shoot(self, visit: Visitor, check: Check, caption: str) -> None:
        if self.options.screenshots:
            check.screenshots.append((caption, visit.screenshot()))


def _submit(visit: Visitor, button: Locator) -> None:
    """Press a choice button and wait for its POST to be answered (by consentkit.js or the form itself).

    On a busy machine the next navigation could otherwise start before the consent cookie is set.
    """
    with visit.page.expect_response(lambda response: response.request.method == "POST"):
        button.click()
    visit.settle()
