"""A test-only app: notes filed in an area and signed by an office role.

It exists to prove that a new app plugs into every registry of `juli.core` from its own
folder, with no edit anywhere else: records as evidence (`records.py`), the main menu
(`menu.py`), notification kinds (`notices.py`), the phone outbox (`outbox.py`), signable
documents (`signables.py`), pages (`urls.py`) and the REST API (`api_urls.py`), both mounted
by `juli.core.urlmount`. Only `config.settings_test` installs it.
"""
