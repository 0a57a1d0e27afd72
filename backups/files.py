"""Files that hold learners' data (backups, progress exports): readable by their owner only.

Both hold what no one else on the machine should read: a backup has password hashes and live
sessions, a progress file a learner's whole study history.
"""

from __future__ import annotations

import os
from pathlib import Path


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only (0600), whatever the umask.

    Whatever then writes into the file (SQLite, pg_dump, this code) keeps its mode, and so does
    a rename.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # os.open's mode passes through the umask; chmod's does not


def ensure_private_directory(directory: Path) -> None:
    """Create the folder, and any missing parents, for its owner only (0700). A folder that
    already exists keeps the mode its owner gave it."""
    missing = [folder for folder in (directory, *directory.parents) if not folder.exists()]
    for folder in reversed(missing):  # the outermost first
        folder.mkdir(exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode, like open's, passes through the umask
