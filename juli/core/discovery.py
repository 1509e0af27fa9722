"""Lazy discovery of the modules apps declare their registry entries in.

Every registry of core (menu, frame facts, demo steps, records, notification kinds, outbox
kinds, signable documents, rights, workflow observers) is filled by modules of a fixed name in
the apps' folders (`menu.py`, `records.py`, …). Core never imports an app by name: the first
time a registry is read, `Discovery(name)()` imports that module of every installed app, the
way Django's admin finds `admin.py` (`autodiscover_modules`).
"""

from __future__ import annotations

import threading

from django.utils.module_loading import autodiscover_modules


class Discovery:
    """Import every installed app's `module` once per process, on the first call.

    Thread-safe: another thread waits for the first discovery to finish. Re-entrant: a module
    that reads its registry while it is being imported does not start a second discovery. An
    import error propagates, and the next call tries again (registering is idempotent, so the
    modules imported before the error may run again).
    """

    def __init__(self, module: str) -> None:
        self.module = module
        self._done = False
        self._running = False
        self._lock = threading.RLock()

    def __call__(self) -> None:
        if self._done:
            return
        with self._lock:
            if self._done or self._running:
                return
            self._running = True
            try:
                autodiscover_modules(self.module)
                self._done = True
            finally:
                self._running = False
