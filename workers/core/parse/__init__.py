"""Parsing: one fetched page in, its ticker items and its article out (`page.parse_page`).

`ticker` splits breaking-news strips into items, `text_article` and `html_article` read an
article from plain text or HTML, `dates` finds and infers publish dates.
"""
