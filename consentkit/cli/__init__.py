"""The ``consentkit`` command."""
