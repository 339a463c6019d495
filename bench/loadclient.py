"""The page benches' load: GET one path over loopback for a few seconds from several threads,
each on its own keep-alive connection (reopened when the server closes it), and print
requests per second as JSON. Standard library only; run as a separate process:

    python bench/loadclient.py PORT PATH COOKIE SECONDS THREADS
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def main(port: int, path: str, cookie: str, seconds: float, threads: int) -> None:
    done = [0] * threads
    bad: list[int] = []
    deadline = time.perf_counter() + seconds

    def work(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie, "Host": "127.0.0.1"}
        while time.perf_counter() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                bad.append(response.status)
                return
            done[n] += 1
        connection.close()

    began = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    print(json.dumps({"rps": sum(done) / elapsed, "requests": sum(done), "bad": bad[:5]}))


if __name__ == "__main__":
    port, path, cookie, seconds, threads = sys.argv[1:6]
    main(int(port), path, cookie, float(seconds), int(threads))
