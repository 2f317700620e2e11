"""Under ``mkdocs serve``: look for saved files every ``watch_interval`` seconds instead of MkDocs' half second.

MkDocs watches with watchdog's polling observer (native file events miss
edits made through Docker and network mounts, mkdocs/mkdocs#2477) and polls
every 0.5 s, so an edit waits 0.25 s on average, and up to 0.5 s, before
its rebuild starts: a third of what an English edit took here. A poll
lists the watched folders and stats each file (0.13 ms for this project's
pages, examples and data), so polling five times as often costs little; a
much larger docs folder can ask for a longer interval.

MkDocs offers no setting for this. The observer, not yet started when
``on_serve`` runs, hands its interval to each folder's emitter when the
folder is watched; both keep it in ``_timeout`` (watchdog 7.1, pinned). A
watchdog without that attribute is left as it is: serve then polls at its
own pace.
"""

from __future__ import annotations

import logging

log = logging.getLogger("mkdocs.plugins.lesson")


def poll_every(server, seconds: float) -> bool:
    """Make ``server``'s observer poll every ``seconds``, for the paths watched so far and those to come.

    Returns False (and changes nothing) where the observer keeps no interval this can set.
    """
    observer = getattr(server, "observer", None)
    emitters = list(getattr(observer, "emitters", ()))
    if not all(hasattr(thing, "_timeout") for thing in [observer, *emitters]):
        log.debug("serve's file watcher has no polling interval to set; it polls at its own pace")
        return False
    for thing in [observer, *emitters]:
        thing._timeout = seconds
    return True
