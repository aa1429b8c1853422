"""The example portal of ``examples/flask_site``, built with Django: the same pages, texts and trackers.

Visitors log in with a case number and PIN (Django's session cookie), switch
language with Django's ``set_language`` (the language cookie), and the pages
carry Google Analytics, a Meta Pixel and a YouTube video, each gated on its
category with ``{% consent %}``. Django's admin is at ``/admin/``. The Flask
site's ``consentkit.toml``, texts and stylesheet are shared, not copied:
``settings.portal_config`` adapts the config to Django's cookie names.
Run it with ``make demo-django``.
"""
