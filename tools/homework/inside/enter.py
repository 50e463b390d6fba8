"""First thing the sandbox runs: set the resource limits, leave root, then start the runner.

Called as ``python -m grading_inside.enter --uid U --memory BYTES --processes N
--cpu SECONDS --file-size BYTES``. When the sandbox starts as root (the grader
runs as root and gives bubblewrap only the capabilities to change user), the
limits are set first and the process then becomes user `U`, a user id no one
else runs as, so the limit on processes counts this sandbox alone. Started as
any other user, it keeps that user and only sets the limits.
"""

from __future__ import annotations

import argparse
import os
import resource


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def enter(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grading_inside.enter")
    parser.add_argument("--uid", type=int)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--file-size", type=int, required=True)
    args = parser.parse_args(argv)
    _limit(resource.RLIMIT_AS, args.memory)
    _limit(resource.RLIMIT_CPU, args.cpu)
    _limit(resource.RLIMIT_FSIZE, args.file_size)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_NOFILE, 1024)
    _limit(resource.RLIMIT_NPROC, args.processes)
    if os.getuid() == 0 and args.uid is not None:
        os.setgroups([])
        os.setresgid(args.uid, args.uid, args.uid)
        os.setresuid(args.uid, args.uid, args.uid)  # drops every capability as well
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("could not leave root inside the sandbox")
    from .runner import main

    main()


if __name__ == "__main__":
    enter()
