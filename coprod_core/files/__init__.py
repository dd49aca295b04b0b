"""Files coprod writes: atomic, owner-only, never over something it should not touch.

One helper for each mechanism, used everywhere:

- :func:`atomic_open` / :func:`atomic_write`: a temporary file beside the
  target, written, flushed and fsynced, then ``os.replace``\\ d over the
  target and the folder fsynced. Readers see the old file or the new one,
  never half of either. On any failure the temporary file is removed. The
  file is created ``0600`` whatever the umask (``private=True``, the
  default); ``private=False`` lets the umask decide, for files that hold no
  personal data (a report without names).
- :func:`private_folder`: a folder created ``0700`` whatever the umask.
- :func:`check_output`: the one rule for a path a person names with ``-o``:
  coprod writes only regular files; ``--force`` replaces a regular file and
  never anything else (a device node, a fifo, a socket, a symbolic link);
  a name too long, a read-only place, a full disk and a missing folder each
  get one clear line (:class:`OutputError`).
- :func:`remove_if_unchanged`: remove a file only if it is a regular file
  (not following links) whose content still has the hash coprod recorded.
- :func:`find_leftovers` / :func:`sweep_leftovers`: the temporary copies a
  killed coprod left behind, found by their name (``.<name>.<pid>-<thread>.coprod-tmp``)
  in the workspace and through the workspace's ledger (``.coprod-tmp/``) for
  those written elsewhere.
"""

from .leftovers import Leftover, find_leftovers, mark_stopped, record_migration, sweep_leftovers
from .removal import Removal, data_hash, file_hash, remove_if_unchanged
from .write import (
    LEDGER,
    TEMP_SUFFIX,
    OutputError,
    atomic_open,
    atomic_path,
    atomic_write,
    cannot_save,
    check_output,
    describe_os_error,
    fsync_folder,
    is_temp_name,
    ledger_of,
    private_folder,
    shown,
    temp_path,
    write_problem,
)

__all__ = [
    "LEDGER", "TEMP_SUFFIX", "Leftover", "OutputError", "Removal", "atomic_open",
    "atomic_path", "atomic_write", "cannot_save", "check_output", "data_hash",
    "describe_os_error", "file_hash", "find_leftovers", "fsync_folder", "is_temp_name",
    "ledger_of", "mark_stopped", "private_folder", "record_migration", "remove_if_unchanged",
    "shown", "sweep_leftovers", "temp_path", "write_problem",
]
