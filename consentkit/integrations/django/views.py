"""consentkit's own URLs as Django views: ``consent``, ``notice`` and ``static/<name>``.

Each hands the request to the same ``Endpoints`` as the WSGI middleware and
passes its answer on unchanged, Set-Cookie headers included. The views are
exempt from Django's CSRF check, which would refuse the banner's no-JavaScript
form (it carries no Django token); the endpoints' own origin check stays.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ...gate.endpoints import Endpoints
from ...gate.gatekeeper import Gatekeeper
from ...render.widgets import MIDDLEWARE_KEY
from .conf import LANGUAGE_KEY, endpoints
from .cookies import add_set_cookies
from .middleware import django_locale, request_environ


@csrf_exempt
def endpoint(request: HttpRequest, route: str, name: str = "") -> HttpResponse:
    # The Gatekeeper of the middleware this request came through: the one of its handler's settings.
    keeper = request.META.get(MIDDLEWARE_KEY)
    handler = Endpoints(keeper) if isinstance(keeper, Gatekeeper) else endpoints()
    keeper = handler.keeper
    environ: dict[str, Any] = {
        **request_environ(request),
        # The request is a file: the endpoints read at most their own size limit of it.
        "wsgi.input": request,
        "PATH_INFO": f"{keeper.prefix}/{route}{name}",
        LANGUAGE_KEY: django_locale(request, keeper.config.locales),
    }
    answer = handler.respond(environ)
    response = HttpResponse(b"".join(answer.get_app_iter(environ)), status=answer.status_code)
    del response["Content-Type"]
    for header, value in answer.get_wsgi_headers(environ).items():
        if header.lower() == "set-cookie":
            add_set_cookies(response, [value])
        else:
            response[header] = value
    return response
