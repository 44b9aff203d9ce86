"""Press-release intelligence pipeline: article folders in, normalized entity tables out."""

__version__ = "0.1.0"
