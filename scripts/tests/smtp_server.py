#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd), with faults on request.

Every message that reaches DATA is written to the spool directory as NNNN.eml, and a line
of JSON (number, Message-ID, envelope, the reply given) is appended to spool/log.jsonl.
`--faults 451,ok,550,drop` decides the reply to the first, second, ... DATA: a 4xx or 5xx
code is sent as that reply, `drop` closes the connection without a reply, `ok` accepts;
after the list every message is accepted. `--tls-cert/--tls-key` require STARTTLS,
`--auth user:password` requires AUTH (over TLS). The file spool/ready appears once the
server listens.
"""
import argparse
import json
import os
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

REPLIES = {
    "451": "451 4.3.0 Try again later",
    "421": "421 4.3.2 Service not available",
    "550": "550 5.1.1 No such mailbox here",
    "554": "554 5.7.1 Message refused",
}


class Spool:
    def __init__(self, directory, faults):
        self.directory = directory
        self.faults = list(faults)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
            fault = self.faults.pop(0) if self.faults else "ok"
        content = envelope.original_content or envelope.content
        with open(os.path.join(self.directory, "%04d.eml" % number), "wb") as handle:
            handle.write(content)
        message_id = None
        for line in content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        record = {
            "number": number,
            "messageId": message_id,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "reply": fault,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
        }
        with open(os.path.join(self.directory, "log.jsonl"), "a") as log:
            log.write(json.dumps(record) + "\n")
        if fault == "drop":
            server.transport.abort()
            return "250 never sent"
        return REPLIES.get(fault, "250 2.0.0 Accepted")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--faults", default="")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth")
    arguments = parser.parse_args()
    os.makedirs(arguments.spool, exist_ok=True)
    faults = [fault for fault in arguments.faults.split(",") if fault]

    options = {}
    if arguments.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(arguments.tls_cert, arguments.tls_key)
        options.update(tls_context=context, require_starttls=True)
    if arguments.auth:
        user, password = arguments.auth.split(":", 1)

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok)

        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(arguments.tls_cert))

    controller = Controller(Spool(arguments.spool, faults), hostname="127.0.0.1", port=arguments.port, **options)
    controller.start()
    open(os.path.join(arguments.spool, "ready"), "w").close()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
