"""Reading ``consentkit.toml``: values, checks, and what consentkit knows of cookies and services."""

from .load import load_config as load_config
from .load import parse_config as parse_config
from .model import Config as Config
from .model import ConfigError as ConfigError
