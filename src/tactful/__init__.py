"""tactful: say no to customers and keep them.

The public Python API. Everything a front door (CLI, REST, web) can do goes through here.
"""

from tactful.analyzer.core import TextTooLarge, analyze
from tactful.config import Config, ConfigError, load_config
from tactful.model import CHARACTERISTICS, Analysis, CharacteristicScore, Counts, Finding

__version__ = "0.1.0"

__all__ = [
    "CHARACTERISTICS",
    "Analysis",
    "CharacteristicScore",
    "Config",
    "ConfigError",
    "Counts",
    "Finding",
    "TextTooLarge",
    "__version__",
    "analyze",
    "load_config",
]
