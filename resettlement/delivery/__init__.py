"""Messages that arrive: sending the outbox through GOV.UK Notify, trying transient failures
again, sweeping up what did not go, failing what never will (and telling the officer), and
recording what Notify says became of each message.

A message's way: queued -> sending -> sent -> delivered, or failed; held when Notify has no
address for its recipient. Every request to Notify is recorded (attempts + 1, committed) before
it is made, and sent with the message's idempotency key as Notify's `reference`: an attempt
that may have reached Notify (a timeout, a crash before the commit that marks it sent) is
followed by asking Notify for that reference before sending again, so nothing goes twice.
"""
