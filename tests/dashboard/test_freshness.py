"""A server whose mfviz code changed on disk under it says so on every page (mfviz/dashboard/freshness.py)."""

from __future__ import annotations

import os

from test_pages import new_app, open_page

from mfviz.dashboard import freshness


def said(at) -> list[str]:
    return [w.value for w in at.warning if "code changed on disk" in w.value]


def test_a_page_says_when_the_code_on_disk_is_not_the_code_the_server_runs():
    at = new_app()
    assert not said(at)  # the code as imported
    # a file of the package touched (an update or a checkout under the running server)
    module = freshness.PACKAGE / "dashboard" / "freshness.py"
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, freshness.fingerprint()[1] + 10**9))  # the latest of the package
        assert freshness.changed()
        open_page(at, "pages/spectrum_page.py")
        assert len(said(at)) == 1 and "Stop the server (Ctrl+C) and start it again" in said(at)[0]
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not freshness.changed()
    open_page(at, "pages/data_page.py")
    assert not said(at)
