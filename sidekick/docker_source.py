"""The Docker side: inspecting containers, and an event stream that reconnects forever."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

import docker
import docker.errors
import requests

from lbcommon.retry import Backoff
from sidekick.container import Container
from sidekick.errors import DockerError
from sidekick.events import DockerEvent, StreamState

log = logging.getLogger(__name__)

Emit = Callable[[DockerEvent | StreamState], None]


class DockerSource:
    def __init__(self, timeout: float, emit: Emit, backoff: Backoff | None = None) -> None:
        self._timeout = timeout
        self._emit = emit
        self._backoff = backoff or Backoff(initial=0.5, maximum=10.0)
        self._client: docker.DockerClient | None = None
        self._events_client: docker.DockerClient | None = None
        self._stop = threading.Event()
        self.connected = False

    def _connect(self) -> docker.DockerClient:
        try:
            return docker.from_env(timeout=self._timeout)  # DOCKER_HOST etc.; negotiates the API version
        except docker.errors.DockerException as exc:
            raise DockerError(f"Docker daemon unreachable: {_short(exc)}") from None

    def _api(self) -> Any:
        """The main thread's client (the event thread has its own)."""
        if self._client is None:
            self._client = self._connect()
        return self._client.api

    def states(self) -> dict[str, str]:
        """id -> "running" or "paused" for every such container (one `docker ps`, no inspect)."""
        try:
            listed = self._api().containers(filters={"status": ["running", "paused"]})
        except (docker.errors.DockerException, requests.RequestException) as exc:
            self._reset()
            raise DockerError(f"docker ps failed: {_short(exc)}") from None
        return {c["Id"]: c.get("State", "running") for c in listed}

    def inspect(self, cid: str) -> Container | None:
        """None when the container is gone."""
        try:
            return Container.from_inspect(self._api().inspect_container(cid))
        except docker.errors.NotFound:
            return None
        except (docker.errors.DockerException, requests.RequestException) as exc:
            self._reset()
            raise DockerError(f"docker inspect {cid[:12]} failed: {_short(exc)}") from None

    def start(self) -> None:
        threading.Thread(target=self._follow, name="docker-events", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._reset()
        _close(self._events_client)

    def _follow(self) -> None:
        """Follow container and network events; on any break, back off, reconnect and ask for a reconcile."""
        while not self._stop.is_set():
            client = None
            try:
                client = self._events_client = self._connect()
                # network events: `docker network connect|disconnect` changes a container's address
                events = client.api.events(decode=True, filters={"type": ["container", "network"]})
                self.connected = True
                self._emit(StreamState(connected=True))    # reconcile: events may have been missed
                for event in events:
                    self._backoff.reset()
                    self._emit(DockerEvent(event))
                if not self._stop.is_set():
                    raise DockerError("Docker event stream closed")
            except (DockerError, docker.errors.DockerException, requests.RequestException, OSError) as exc:
                if self._stop.is_set():
                    return
                self.connected = False
                delay = self._backoff.next_delay()
                log.warning("%s; reconnecting in %.1fs", exc if isinstance(exc, DockerError)
                            else f"Docker event stream broke: {_short(exc)}", delay)
                self._emit(StreamState(connected=False))
                self._stop.wait(delay)
            finally:
                _close(client)

    def _reset(self) -> None:
        client, self._client = self._client, None
        _close(client)


def _close(client: docker.DockerClient | None) -> None:
    if client is not None:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken client
            pass


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
