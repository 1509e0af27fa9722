"""The test settings: the project's settings plus the apps that exist for the tests only.

`juli.sampleapp` proves that a new app plugs into every registry of `juli.core` from its own
folder (see juli/sampleapp/__init__.py). Production, `make run` and `juli` commands use
`config.settings` and never install it; pytest uses this module (pyproject.toml).
"""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "juli.sampleapp"]  # noqa: F405
