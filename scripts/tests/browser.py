#!/usr/bin/env python3
"""Drives Debian's headless Chromium over the DevTools protocol (a minimal WebSocket client
from the standard library), as a person would: open a page, keep a screenshot, press a
button with the mouse, and report what the page said before and after, as JSON.

    scripts/tests/browser.py URL --screenshot FILE.png [--press VALUE] [--screenshot-after FILE.png]

`--press VALUE` clicks the <button> whose value attribute is VALUE (a form submission the
browser makes itself: the page needs no JavaScript) and waits for the next page.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class DevTools:
    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.socket.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.socket.recv(1)
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError("no WebSocket upgrade: %r" % response)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", len(payload))
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.socket.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event, seconds=30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for index, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[: index + 1]
                    return message
            self.events.append(self.receive())
        raise RuntimeError(f"no {event} within {seconds} s")

    def receive(self):
        def exactly(count):
            data = b""
            while len(data) < count:
                chunk = self.socket.recv(count - len(data))
                if not chunk:
                    raise RuntimeError("DevTools closed the connection")
                data += chunk
            return data

        payload = b""
        while True:
            first, second = exactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", exactly(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", exactly(8))[0]
            payload += exactly(length)
            if first & 0x80:
                return json.loads(payload)


def page_text(tools):
    return tools.send("Runtime.evaluate", expression="document.body.innerText", returnByValue=True)["result"]["value"]


def screenshot(tools, path):
    data = tools.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
    with open(path, "wb") as handle:
        handle.write(base64.b64decode(data))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--press")
    parser.add_argument("--screenshot-after")
    arguments = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("chromium is not installed")
    profile = tempfile.mkdtemp(prefix="chromium-")
    process = subprocess.Popen(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1000,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if time.time() > deadline:
                sys.exit("chromium did not start")
            time.sleep(0.05)
        port = open(port_file).read().split("\n")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(target for target in targets if target["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.send("Page.enable")
        tools.send("Page.navigate", url=arguments.url)
        tools.wait_for("Page.loadEventFired")
        result = {"before": page_text(tools)}
        result["javascriptOnPage"] = tools.send(
            "Runtime.evaluate", expression="document.scripts.length", returnByValue=True)["result"]["value"]
        screenshot(tools, arguments.screenshot)
        if arguments.press:
            box = tools.send(
                "Runtime.evaluate", returnByValue=True,
                expression=("(() => { const b = document.querySelector('button[value=\"%s\"]'); if (!b) return null;"
                            " b.scrollIntoView(); const r = b.getBoundingClientRect();"
                            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()") % arguments.press)["result"].get("value")
            if not box:
                sys.exit(f"no button with value {arguments.press}")
            for kind in ["mouseMoved", "mousePressed", "mouseReleased"]:
                tools.send("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)
            tools.wait_for("Page.loadEventFired")
            result["after"] = page_text(tools)
            result["url"] = tools.send("Runtime.evaluate", expression="location.href", returnByValue=True)["result"]["value"]
            if arguments.screenshot_after:
                screenshot(tools, arguments.screenshot_after)
        print(json.dumps(result))
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
