"""Outbound messages through a durable queue: asked for inside a transaction, delivered by a worker.

:mod:`~needlewise.messaging.outbox` writes a message (and the job that delivers it) in the
transaction of the change that asks for it, so a message is never announced for a change that was
rolled back and never lost once the change commits. :mod:`~needlewise.messaging.delivery` hands it
to its channel (e-mail through Django's mail backends) with retries; :mod:`~needlewise.messaging.worker`
runs the jobs (``needlewise worker``, and beside the web workers in ``needlewise serve``).
"""
