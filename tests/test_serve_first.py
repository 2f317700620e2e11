"""Under serve, the first language a rebuild makes is shown before the others are built, and the rest after."""

from __future__ import annotations

import gc
import os
import threading
import wsgiref.util
from pathlib import Path

import pytest
from mkdocs.livereload import LiveReloadServer

from sitelib.incremental import language_sites
from sitelib.plugin import serve_first


@pytest.fixture()
def server(tmp_path):
    """MkDocs' own development server (not started: its WSGI app is called directly), serving ``tmp_path/site``."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body>page</body></html>")
    made = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    yield made
    made.server_close()


def request(server, path: str) -> threading.Thread:
    """Ask ``server`` for ``path`` in a thread, as a browser would; the body lands in ``thread.body``."""
    thread = threading.Thread(daemon=True)

    def ask():
        environ = {"PATH_INFO": path}
        wsgiref.util.setup_testing_defaults(environ)
        answer = server.serve_request(environ, lambda status, headers: None)
        thread.body = b"".join(answer)
        getattr(answer, "close", lambda: None)()  # a file's wrapper, as a WSGI server closes it

    thread.run = ask
    thread.start()
    return thread


def test_shown_early_the_held_requests_are_answered_and_the_end_is_a_newer_version(server):
    """A request made while the rebuild runs waits (as MkDocs makes it), is answered once shown; an open page's
    reload poll sees a new version then, and again when MkDocs ends the rebuild after new_version."""
    before = server._visible_epoch
    with server._epoch_cond:  # what MkDocs' build loop does when a rebuild starts
        server._wanted_epoch = before + 5
    page, poll = request(server, "/index.html"), request(server, f"/livereload/{before}/1")
    page.join(0.3)
    assert page.is_alive() and poll.is_alive()  # held: the rebuild has not shown anything
    serve_first.show(server)
    page.join(5), poll.join(5)
    assert b"page" in page.body and int(poll.body) == before + 5
    serve_first.new_version(server)
    later = request(server, f"/livereload/{before + 5}/2")
    later.join(0.3)
    assert later.is_alive()
    with server._epoch_cond:  # MkDocs, once the build has returned
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()
    later.join(5)
    assert int(later.body) > before + 5


def test_only_a_server_with_mkdocs_epochs_is_remembered_and_only_while_it_lives(tmp_path):
    """Another server (no epochs) shows nothing early; once serve drops its server, a build finds none."""
    serve_first.serving(tmp_path / "other", object())
    assert serve_first.server_for(tmp_path / "other") is None
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.server_close()
    serve_first.serving(tmp_path, server)
    assert serve_first.server_for(tmp_path) is server
    del server
    gc.collect()
    assert serve_first.server_for(tmp_path) is None


def built(folder: Path, files: dict[str, str], key: str = "k") -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    language_sites.mark(folder, key)
    return folder


def files_in(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()}


def test_the_served_folder_is_updated_in_place_writing_only_what_changed(tmp_path):
    """Serve's folder keeps the previous build: an unchanged file stays the same file, a changed one is
    swapped in whole, what the new build lacks goes (empty folders too), another language's folder stays."""
    site = tmp_path / "site"
    first = {"index.html": b"old", "same.css": b"css", "gone/page.html": b"old page"}
    assert language_sites.sync(first, site) == 3
    language_sites.sync({"index.html": b"zh"}, site / "zh")
    same, changed = (site / "same.css").stat(), (site / "index.html").stat()
    written = language_sites.sync({"index.html": b"new", "same.css": b"css", "new/page.html": b"new page"},
                                  site, keep=["zh"])
    assert written == 2
    assert files_in(site) == {"index.html": "new", "same.css": "css", "new/page.html": "new page",
                              "zh/index.html": "zh"}
    assert (site / "same.css").stat().st_ino == same.st_ino and (site / "same.css").stat().st_mtime_ns == same.st_mtime_ns
    assert (site / "index.html").stat().st_ino != changed.st_ino  # renamed into place, never rewritten in place
    assert not (site / "gone").exists()


def test_a_file_linked_into_the_site_is_replaced_not_written_through(tmp_path):
    """The cache's copy stays as it was built, whatever the site folder's file was."""
    cached = tmp_path / "cache.html"
    cached.write_text("cached")
    (tmp_path / "site").mkdir()
    os.link(cached, tmp_path / "site" / "index.html")
    language_sites.sync({"index.html": b"new"}, tmp_path / "site")
    assert cached.read_text() == "cached" and (tmp_path / "site" / "index.html").read_text() == "new"


def test_publishing_over_a_shown_copy_swaps_files_whole_and_drops_what_the_new_build_lacks(tmp_path):
    """The site's folder of a language then holds exactly the new build, as a clean build would."""
    target = tmp_path / "site" / "zh"
    language_sites.sync({"index.html": b"old", "gone/page.html": b"old page", "keep.css": b"css"}, target)
    new = built(tmp_path / "sites" / "zh", {"index.html": "new", "keep.css": "css", "new/page.html": "new page"})
    language_sites.publish(new, target)
    assert files_in(target) == {"index.html": "new", "keep.css": "css", "new/page.html": "new page"}
    assert not (target / "gone").exists()
    (new / "index.html").write_text("damaged")
    with pytest.raises(RuntimeError, match="does not match its own record"):
        language_sites.publish(new, target)
    assert files_in(target)["index.html"] == "new"  # nothing of a damaged build reaches the site
