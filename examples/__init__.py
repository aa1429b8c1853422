"""Example sites for consentkit (run with `make demo`)."""
