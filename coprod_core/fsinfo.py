"""What the filesystem under a path is, and whether it is safe for a database.

SQLite's locking and ``fsync`` are not reliable over network filesystems
(NFS, SMB/CIFS, sshfs and other FUSE mounts): two writers can corrupt the
file. Backends that keep files warn when their files sit on one.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

#: Filesystem types (as /proc/mounts names them) that are reached over a network.
NETWORK_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p",
    "ceph", "glusterfs", "lustre", "gpfs", "davfs", "fuse.sshfs", "sshfs",
    "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2",
})

MOUNTS = Path("/proc/mounts")


def _unescape(field: str) -> str:
    # /proc/mounts escapes spaces, tabs, newlines and backslashes as octal.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def filesystem_of(path: str | os.PathLike[str], mounts: str | None = None) -> str | None:
    """The type of the filesystem holding ``path`` (``ext4``, ``nfs4``...), if known.

    ``mounts`` is the text of a mount table in /proc/mounts format; by
    default the running system's is read.
    """
    if mounts is None:
        try:
            mounts = MOUNTS.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point, fstype = _unescape(parts[1]), parts[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    return best_type


def is_network(fstype: str | None) -> bool:
    if fstype is None:
        return False
    return fstype in NETWORK_TYPES or fstype.startswith(("nfs", "smb", "fuse.sshfs"))


def network_warning(path: str | os.PathLike[str], mounts: str | None = None) -> str | None:
    """A warning to show when ``path`` sits on a network filesystem, else None."""
    fstype = filesystem_of(path, mounts)
    if not is_network(fstype):
        return None
    return (
        f"{path} is on a network filesystem ({fstype}); file locking there is not "
        "reliable and two writers can damage the data. Keep the workspace on a local "
        "disk, or move to PostgreSQL with `coprod migrate --to postgres`"
    )


def owner_only(path: str | os.PathLike[str]) -> None:
    """Make ``path`` readable and writable by its owner only (when it exists and is ours)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if st.st_uid == os.getuid() and st.st_mode & 0o077:
        with suppress(OSError):  # a read-only place: doctor names the loose permissions
            os.chmod(path, st.st_mode & 0o700)
