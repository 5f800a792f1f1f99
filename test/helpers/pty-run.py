#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal (stdin and stdout are a TTY), answering one prompt.

usage: pty-run.py ANSWER PROMPT_SUBSTRING -- command args...
ANSWER `^C` types Ctrl-C (no newline), `^D` Ctrl-D, as an operator at the keyboard would;
`TERM` sends the command SIGTERM instead (kill, a closed pane) while it waits at the prompt.
Prints everything the command wrote; exits with its exit code. The terminal is $COLUMNS wide
(default 80) and $LINES high (default 50), as a real one reports it (TIOCSWINSZ).
With $PTY_RUN_HOLD=FILE, the prompt is answered only once FILE exists (FILE.prompted is created
when the prompt shows): a test changes the world while the operator reads the plan.
The command may be silent for $PTY_RUN_SILENCE seconds (default 30) before it is given up on.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

answer, prompt = sys.argv[1], sys.argv[2].encode()
command = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    # Sized from the child's side, before exec: the command must see it at its first look.
    cols, rows = int(os.environ.get('COLUMNS', '80')), int(os.environ.get('LINES', '50'))
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(command[0], command)
seen = b''
answered = False
while True:
    ready, _, _ = select.select([fd], [], [], float(os.environ.get('PTY_RUN_SILENCE', '30')))
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
        hold = os.environ.get('PTY_RUN_HOLD')
        if hold:
            open(hold + '.prompted', 'w').close()
            deadline = time.time() + 300
            while not os.path.exists(hold) and time.time() < deadline:
                time.sleep(0.1)
        if answer == 'TERM':
            os.kill(pid, 15)
        else:
            os.write(fd, {'^C': b'\x03', '^D': b'\x04'}.get(answer, (answer + '\n').encode()))
        answered = True
sys.stdout.write(seen.decode(errors='replace'))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
