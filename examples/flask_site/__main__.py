"""``python -m examples.flask_site``: serve the example portal (``PORT``, default 8000)."""

from __future__ import annotations

import logging
import os

from werkzeug.serving import run_simple

from . import create_app

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
port = int(os.environ.get("PORT", "8000"))
print(f"consentkit demo: http://127.0.0.1:{port}/  (Ctrl+C stops it)")
run_simple("127.0.0.1", port, create_app(), threaded=True)
