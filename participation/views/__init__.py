"""Views, split by who uses them: the public directory, residents' sign-ups and profile,
and staff pages for running opportunities."""
