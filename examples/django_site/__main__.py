"""``python -m examples.django_site``: migrate the database, then serve the portal (``PORT``, default 8001)."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_site.settings")

import django
from django.core.management import call_command
from werkzeug.serving import run_simple

django.setup()
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
call_command("migrate", interactive=False, verbosity=0)

from .wsgi import application  # noqa: E402

port = int(os.environ.get("PORT", "8001"))
print(f"consentkit Django demo: http://127.0.0.1:{port}/  (admin: /admin/, after manage.py createsuperuser)")
run_simple("127.0.0.1", port, application, threaded=True)
