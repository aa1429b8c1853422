"""consentkit in Django: the app, the middleware, the views, the template tags.

A thin front door: Django's settings go in (``conf.py``), and the same
``Gatekeeper``, endpoints and renderer as the WSGI middleware do the work.
Users write ``consentkit.django`` (see that package); the code lives here.
"""
