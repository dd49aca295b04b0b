"""Telling a network filesystem from a local one."""

import pytest

from coprod_core import fsinfo

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export /mnt/share nfs4 rw,vers=4.2 0 0
//nas/team /mnt/team\\040drive cifs rw 0 0
me@host:/data /home/me/remote fuse.sshfs rw 0 0
/dev/sdb1 /mnt/share/local ext4 rw 0 0
"""


@pytest.mark.parametrize(("path", "fstype"), [
    ("/home/me/ws/coprod.db", "ext4"),
    ("/mnt/share/ws/coprod.db", "nfs4"),
    ("/mnt/share", "nfs4"),
    ("/mnt/shared/ws", "ext4"),
    ("/mnt/team drive/ws", "cifs"),
    ("/home/me/remote/ws", "fuse.sshfs"),
    ("/mnt/share/local/ws", "ext4"),
])
def test_filesystem_of_takes_the_longest_mount_point(path, fstype):
    assert fsinfo.filesystem_of(path, MOUNTS) == fstype


@pytest.mark.parametrize(("path", "network"), [
    ("/home/me/ws", False), ("/mnt/share/ws", True), ("/mnt/team drive/x", True),
    ("/home/me/remote/ws", True), ("/mnt/share/local/ws", False),
])
def test_network_warning(path, network):
    warning = fsinfo.network_warning(path, MOUNTS)
    assert (warning is not None) == network
    if network:
        assert "network filesystem" in warning
        assert "coprod migrate --to postgres" in warning


def test_unreadable_mount_table_is_not_network(tmp_path, monkeypatch):
    monkeypatch.setattr(fsinfo, "MOUNTS", tmp_path / "missing")
    assert fsinfo.filesystem_of(tmp_path) is None
    assert fsinfo.network_warning(tmp_path) is None


def test_owner_only_tightens_loose_files(tmp_path):
    path = tmp_path / "f"
    path.write_text("x")
    path.chmod(0o644)
    fsinfo.owner_only(path)
    assert path.stat().st_mode & 0o777 == 0o600
    fsinfo.owner_only(tmp_path / "absent")
