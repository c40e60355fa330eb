"""The files uploads wait in for Column mapping: a sweep deletes those of servers stopped and any left too long."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from mfviz.dashboard import held_upload


def test_a_sweep_deletes_the_files_of_stopped_servers_and_old_ones_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("MFVIZ_CACHE_DIR", str(tmp_path))
    folder = held_upload.folder()
    folder.mkdir(parents=True)
    stopped = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    files = {name: folder / f"{pid}_{name}_0a1b-x{held_upload.SUFFIX}" for name, pid in
             (("stopped", stopped.stdout.strip()), ("running", os.getppid()), ("ours", os.getpid()),
              ("old", os.getpid()))}
    for file in files.values():
        file.write_bytes(b"user,item\n1,2\n")
    three_days_ago = time.time() - 3 * 24 * 3600
    os.utime(files["old"], (three_days_ago, three_days_ago))
    held_upload._sweep()
    assert {name for name, file in files.items() if file.exists()} == {"running", "ours"}
