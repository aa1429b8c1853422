"""Reading ``consentkit.toml``: values, checks, and what consentkit knows of cookies and services."""
