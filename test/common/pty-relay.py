# SPDX-License-Identifier: BSD-2-Clause
"""A TPM character device that is not a resource manager: a pseudo-terminal
whose other end relays each TPM command to swtpm's TCP port and writes the
answer back, as the kernel's /dev/tpm0 passes commands to the chip and
keeps nothing for the caller. The tests expose its terminal under a path
named tpmrm0 (a bind mount) to show that the library decides "resource
manager" by what the device is, not by its name.

    pty-relay.py HOST PORT LINKFILE

prints nothing; writes the path of the terminal (/dev/pts/N) to LINKFILE
once it relays, and runs until killed. One command at a time, as a TPM
device takes them.
"""

import os
import socket
import struct
import sys
import tty

HEADER = 10


def read_exact(fd, n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def main():
    host, port, linkfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    master, slave = os.openpty()
    # Raw: no echo, no line editing, every byte as it is.
    tty.setraw(slave)
    path = os.ttyname(slave)
    tmp = linkfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(path + "\n")
    os.rename(tmp, linkfile)
    while True:
        head = read_exact(master, HEADER)
        size = struct.unpack(">I", head[2:6])[0]
        if size < HEADER or size > 65536:
            sys.stderr.write("pty-relay: bad command size %d\n" % size)
            sys.exit(1)
        command = head + read_exact(master, size - HEADER)
        # A connection per command: swtpm keeps no state per connection,
        # as a TPM keeps none per open file.
        with socket.create_connection((host, port)) as s:
            s.sendall(command)
            rhead = recv_exact(s, HEADER)
            rsize = struct.unpack(">I", rhead[2:6])[0]
            answer = rhead + recv_exact(s, rsize - HEADER)
        os.write(master, answer)


if __name__ == "__main__":
    main()
