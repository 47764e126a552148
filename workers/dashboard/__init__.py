"""`raqib dashboard`: a read-only live page for the monitoring desk.

- `model.py`: the view model, pure (no Kafka, clock or I/O): events, sightings and
  articles in, an ordered log of items with sequence ids, counters and resume logic out.
- `sse.py`: Server-Sent Events framing and the fan-out of one reader to many browsers.
- `reader.py`: the dashboard's own Kafka consumer (no group, nothing committed).
- `server.py`: the aiohttp routes (page, static files, event stream), security headers.
- `static/`: the page itself: hand-written HTML, CSS and JavaScript, no build step.

docs/dashboard.md describes the design and the protocol.
"""
