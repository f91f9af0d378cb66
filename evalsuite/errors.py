"""The one exception type for mistakes a user can make; the CLI turns it into exit code 2."""


class EvalsuiteError(Exception):
    """A problem with the user's input, stated in one line: what was wrong, what is allowed."""
