"""The package's own exceptions. Library code raises them; only the CLI makes exit codes of them."""


class PipelineError(Exception):
    """Base class for errors that stop a run."""


class ConfigError(PipelineError):
    """A configuration value is invalid; the message names the value and what would be valid."""


class InputError(PipelineError):
    """The corpus folder cannot be read at all (not a per-file problem)."""


class OutputError(PipelineError):
    """The output folder cannot be written."""


class DocumentError(Exception):
    """One document cannot be processed; becomes a row in problems.csv, the run goes on."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class LockedError(PipelineError):
    """Another run holds the output folder (exit code 5); `--wait` waits for it instead."""
