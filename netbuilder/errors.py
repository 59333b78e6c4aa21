"""The base of every error meant for the user's eyes. A leaf module: imports nothing.

The command line prints ``str(error)`` as one line (exit status 2); the window shows it in a
message box. Anything else that escapes is a bug.
"""


class NetbuilderError(Exception):
    """An error with a message fit for a student: what went wrong, where, and what to do.

    ``remedy`` names the one change that would fix it where the window offers that change as a button
    (``"skip_bad"``); ``brief`` is then the message without the command line's own advice."""

    remedy: str = ""

    @property
    def brief(self) -> str:
        return str(self)


class NetbuilderWarning(UserWarning):
    """Our own warnings; the test suite turns them into errors."""
