"""The partner survey (issue 10): questions, forms for four channels, importers and analysis.

:mod:`.schema` holds a round's canonical answers, :mod:`.questions` the wording and scales,
:mod:`.forms` makes the forms, :mod:`.importers` reads what comes back.
"""
