"""Printed documents in the look of GB/T 9704-2012 (reportlab is imported only in here).

``registry`` lists the kinds and builds them; ``page`` is the one page template, ``blocks``
the story helpers, ``fonts`` registers the shipped faces, ``check`` verifies a generated PDF
(glyph coverage, page geometry).
"""
