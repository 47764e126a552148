"""Dedup decisions: what has been seen before, as pure functions of an item and the state.

`ticker` decides whether a ticker item is new or a sighting of a known event;
`line_match` holds how two ticker lines are compared (exact keys, features, similarity
and the veto rules), with its compiled kernel `_nearpath`; `articles` gives an article
its identity and tells new articles from revisions and re-scrapes.
"""
