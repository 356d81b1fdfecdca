"""Answer composition: from ranked evidence to a grounded, cited :class:`~curbside.models.Answer`.

``Engine`` (in :mod:`curbside.answer.engine`) is the entry point; it is not imported
here so that importing the package stays cheap.
"""
