"""What `make run` opens to the network, read off the running servers (started by the same
functions `make run` uses): every listening socket is on loopback, and no command line shows
the secret that guards Rasa's API, its channel and the action server."""

from __future__ import annotations

import os
from pathlib import Path


def processes_of(leaders: list[int]) -> list[int]:
    """Every process in the sessions the servers lead (a server and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) in leaders:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def listening(pids: list[int]) -> list[str]:
    """host:port of each TCP socket the processes listen on (from /proc/net/tcp and tcp6)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (FileNotFoundError, PermissionError):
            continue
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                host, port = fields[1].split(":")
                addresses.append(f"{_host(host)}:{int(port, 16)}")
    return addresses


def _host(hexadecimal: str) -> str:
    raw = bytes.fromhex(hexadecimal)
    if len(raw) == 4:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
    return "[" + b"".join(words).hex() + "]"


def test_every_port_the_local_stack_opens_is_on_loopback_and_no_command_line_shows_the_secret(lotse_stack):
    pids = processes_of([server.pid for server in lotse_stack.servers])
    assert len(pids) >= len(lotse_stack.servers)
    addresses = listening(pids)
    assert len(addresses) >= 4  # Rasa, the action server, the fake Bot API with its try-out page
    loopback = ("127.0.0.1:", "[00000000000000000000000000000001]:")
    assert [a for a in addresses if not a.startswith(loopback)] == []
    for pid in pids:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert lotse_stack.token not in command_line, command_line.replace("\0", " ")[:200]
