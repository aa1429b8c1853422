"""consentkit's own templates are compiled once per process: no file check on each render."""

from __future__ import annotations

from consentkit.render.renderer import template_environment


def test_a_loaded_template_is_reused_without_asking_the_loader_again() -> None:
    env = template_environment(autoescape=True)
    template = env.get_template("consentkit/banner.html")
    # As if the file had changed on disk: with auto_reload the loader would be asked
    # again (a stat per render); the package's templates change only with a new release.
    template._uptodate = lambda: False
    assert env.get_template("consentkit/banner.html") is template
