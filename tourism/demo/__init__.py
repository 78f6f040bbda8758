"""Demo content for ``manage.py load_demo``: the texts and data, and the pictures drawn for them.

Kept out of the app's runtime code: nothing here is imported by the public site.
"""
