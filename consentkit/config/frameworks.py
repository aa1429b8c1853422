"""The cookies web frameworks set on their own: sessions, CSRF tokens, language, flash messages.

They are strictly necessary for a service the visitor asked for (staying signed
in, a form that cannot be forged, the language they picked), so they pass the
gate without being declared. The list is consulted before the Open Cookie
Database, which files some of these names under a third party that happens to
use the same name (Django's ``sessionid`` is also an Instagram cookie).

Only the default names of each framework are listed; a site that renames its
session cookie declares it, or passes ``session_cookie_name``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from typing import Final

SESSION: Final = "session"
CSRF: Final = "CSRF protection"
LANGUAGE: Final = "language choice"
MESSAGES: Final = "one-time messages"
SIGN_IN: Final = "sign-in"

#: Name (``*`` is a wildcard), framework, and what the cookie is for.
FRAMEWORK_COOKIES: Final[tuple[tuple[str, str, str], ...]] = (
    # Python
    ("sessionid", "Django", SESSION),
    ("csrftoken", "Django", CSRF),
    ("django_language", "Django", LANGUAGE),
    ("messages", "Django", MESSAGES),
    ("session", "Flask, Werkzeug, Pyramid, Starlette", SESSION),
    ("remember_token", "Flask-Login", SIGN_IN),
    ("csrf_token", "Pyramid", CSRF),
    ("_LOCALE_", "Pyramid", LANGUAGE),
    ("beaker.session.id", "Beaker (sessions for Bottle, Falcon, Pyramid)", SESSION),
    ("_xsrf", "Tornado", CSRF),
    # PHP
    ("PHPSESSID", "PHP", SESSION),
    ("laravel_session", "Laravel", SESSION),
    ("XSRF-TOKEN", "Laravel, Angular, Spring Security", CSRF),
    ("wordpress_logged_in_*", "WordPress", SIGN_IN),
    ("wordpress_sec_*", "WordPress", SIGN_IN),
    ("wordpress_test_cookie", "WordPress", SIGN_IN),
    # Java and the JVM
    ("JSESSIONID", "Java servlets (Tomcat, Jetty, Spring)", SESSION),
    ("PLAY_SESSION", "Play Framework", SESSION),
    ("PLAY_FLASH", "Play Framework", MESSAGES),
    ("PLAY_LANG", "Play Framework", LANGUAGE),
    # .NET
    ("ASP.NET_SessionId", "ASP.NET", SESSION),
    ("ASPSESSIONID*", "classic ASP", SESSION),
    (".ASPXAUTH", "ASP.NET", SIGN_IN),
    (".AspNetCore.*", "ASP.NET Core (session, antiforgery, identity, culture)", SESSION),
    ("__RequestVerificationToken*", "ASP.NET MVC", CSRF),
    # Ruby
    ("_*_session", "Ruby on Rails (_<app>_session)", SESSION),
    ("rack.session", "Rack (Sinatra)", SESSION),
    # JavaScript
    ("connect.sid", "Express (express-session)", SESSION),
    ("_csrf", "Express (csurf)", CSRF),
    ("koa.sess", "Koa", SESSION),
    ("koa:sess", "Koa", SESSION),
    ("next-auth.session-token", "NextAuth.js", SIGN_IN),
    ("next-auth.csrf-token", "NextAuth.js", CSRF),
)

#: Browsers' name prefixes that only restrict a cookie; ``__Host-csrftoken`` is still Django's.
_RESTRICTING_PREFIXES: Final = ("__Host-", "__Secure-")


@dataclass(frozen=True, slots=True)
class FrameworkCookie:
    name: str
    framework: str
    purpose: str

    def matches(self, name: str) -> bool:
        return name == self.name or ("*" in self.name and fnmatch.fnmatchcase(name, self.name))


@cache
def framework_cookies() -> tuple[FrameworkCookie, ...]:
    return tuple(FrameworkCookie(*row) for row in FRAMEWORK_COOKIES)


def framework_cookie(name: str) -> FrameworkCookie | None:
    """The framework that sets a cookie called ``name`` by default, if any."""
    for prefix in _RESTRICTING_PREFIXES:
        name = name.removeprefix(prefix)
    return next((cookie for cookie in framework_cookies() if cookie.matches(name)), None)
