#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal (stdin and stdout are a TTY), answering one prompt.

usage: pty-run.py ANSWER PROMPT_SUBSTRING -- command args...
Prints everything the command wrote; exits with its exit code.
"""
import os
import pty
import select
import sys

answer, prompt = sys.argv[1], sys.argv[2].encode()
command = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
seen = b''
answered = False
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not answered and prompt in seen:
        os.write(fd, (answer + '\n').encode())
        answered = True
sys.stdout.write(seen.decode(errors='replace'))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
