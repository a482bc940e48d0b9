"""A loopback TCP proxy that tests can cut or freeze, to simulate network failures between a client and a server.

cut()    closes every proxied connection now (both sides see the connection drop; new connections still work).
freeze() stops forwarding bytes on existing connections and closes new ones at once, so the server hears nothing
         from the client (its session times out) while the client's socket stays open.
thaw()   resumes normal operation for new connections (connections open while frozen are closed).
"""
import select
import socket
import threading

HOST = "127.0.0.1"


class Proxy:
    def __init__(self, target_port, target_host=HOST):
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs = []
        self._frozen = threading.Event()
        self._stopped = threading.Event()
        self.accepted = 0
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self._threads[0].start()

    @property
    def connect_string(self):
        return f"{HOST}:{self.port}"

    def _accept_loop(self):
        while not self._stopped.is_set():
            try:
                downstream, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            if self._frozen.is_set():
                downstream.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                downstream.close()
                continue
            pair = (downstream, upstream)
            with self._lock:
                self._pairs.append(pair)
            t = threading.Thread(target=self._pump, args=pair, daemon=True)
            t.start()
            self._threads.append(t)

    def _pump(self, a, b):
        peers = {a: b, b: a}
        try:
            while not self._stopped.is_set():
                if self._frozen.is_set():
                    self._stopped.wait(0.05)
                    continue
                readable, _, _ = select.select([a, b], [], [], 0.05)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            self._close_pair((a, b))

    def _close_pair(self, pair):
        with self._lock:
            if pair in self._pairs:
                self._pairs.remove(pair)
        for s in pair:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def connections(self):
        with self._lock:
            return len(self._pairs)

    def cut(self):
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            self._close_pair(pair)

    def freeze(self):
        self._frozen.set()

    def thaw(self):
        self.cut()
        self._frozen.clear()

    def close(self):
        self._stopped.set()
        self.cut()
        self._listener.close()
        for t in self._threads:
            t.join(timeout=2)
