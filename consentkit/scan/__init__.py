"""``consentkit scan`` and ``consentkit audit``: a site as a visitor's Chromium sees it.

Needs the ``scan`` extra (``pip install 'consentkit[scan]'``): Playwright is imported only
by the modules that drive the browser, and says so when it is missing.
"""
