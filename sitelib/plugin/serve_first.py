"""Under ``mkdocs serve``: show the first language a rebuild makes while the others still build.

MkDocs' development server holds every request until the whole rebuild has
ended, so an edited example (which changes every language's page of it) was
seen only when the last of three languages was built. The served folder
still holds the site as it stood before the edit (the orchestrator's own
build goes elsewhere, so MkDocs does not empty it): the orchestrator
publishes the first language there, and lets the waiting requests through
(:func:`show`) while the others build. At the end it makes the finished site a version of its
own (:func:`new_version`), so every open page reloads once more and shows it;
a failed rebuild leaves the requests waiting, as MkDocs does.

This needs three attributes of MkDocs' ``LiveReloadServer`` that are not
public API (``_epoch_cond``, ``_wanted_epoch``, ``_visible_epoch``; MkDocs
1.6 and ProperDocs 1.6.7 have them alike). A server without them is shown
nothing early: the rebuild is then seen at its end, as before.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path

_ATTRIBUTES = ("_epoch_cond", "_wanted_epoch", "_visible_epoch")

# Project root to the server of the ``mkdocs serve`` running it in this process (on_serve sets it).
# Weak: once serve is done with its server, a later ``mkdocs build`` of the project finds none.
_SERVERS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def serving(root: Path, server) -> None:
    """Remember that ``server`` serves the project at ``root`` (the orchestrator's ``on_serve``)."""
    if all(hasattr(server, name) for name in _ATTRIBUTES):
        _SERVERS[str(root)] = server


def server_for(root: Path):
    """The server that can show part of a rebuild of ``root`` early; None under ``mkdocs build``."""
    return _SERVERS.get(str(root))


def show(server) -> None:
    """Answer the requests held since the rebuild began, and the ones to come, from the site as it is now."""
    with server._epoch_cond:
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()  # open pages' reload polls see the new version and reload


def new_version(server) -> None:
    """Make what the rest of the rebuild writes a newer version: requests wait for it (MkDocs shows it when
    the build ends, and open pages reload then), or keep waiting if the build fails."""
    with server._epoch_cond:
        server._wanted_epoch = max(server._visible_epoch + 1, round(time.monotonic() * 1000))
