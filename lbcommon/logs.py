"""One log line per event, on stderr."""
from __future__ import annotations

import logging
import sys


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # gRPC and the docker client are chatty at INFO/DEBUG about their own internals
    for noisy in ("urllib3", "docker"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
