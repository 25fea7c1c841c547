"""A local fake of Slack's Socket Mode WebSocket server: it says hello, sends envelopes, and records the acks."""

from __future__ import annotations

import json
import queue
import threading

from websockets.sync.server import serve


class FakeSocketMode:
    """Accepts the app's WebSocket connection; ``send(envelope)`` delivers a request, ``ack(envelope_id)`` waits for
    the app's acknowledgement."""

    def __init__(self) -> None:
        self.connected = threading.Event()
        self._outbox: queue.Queue[dict | None] = queue.Queue()
        self._acks: dict[str, dict] = {}
        self._cond = threading.Condition()
        self.server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeSocketMode":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        self.server.shutdown()

    def send(self, envelope: dict) -> None:
        self._outbox.put(envelope)

    def ack(self, envelope_id: str, timeout: float = 60) -> dict:
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self._acks[envelope_id]

    def _handle(self, websocket) -> None:
        websocket.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {}}))
        self.connected.set()
        reader = threading.Thread(target=self._read, args=(websocket,), daemon=True)
        reader.start()
        while (envelope := self._outbox.get()) is not None:
            websocket.send(json.dumps(envelope))
        websocket.close()

    def _read(self, websocket) -> None:
        try:
            for message in websocket:
                data = json.loads(message)
                with self._cond:
                    self._acks[data.get("envelope_id", "")] = data
                    self._cond.notify_all()
        except Exception:  # noqa: BLE001 - the app went away
            pass
