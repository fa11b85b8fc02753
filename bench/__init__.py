"""The load benchmark: `make bench` (bench/run.py) and the pieces it is made of.

server.py starts the production server, load.py drives wrk, pages.py picks what to load and
signs people in, queries.py counts SQL per page, pageweight.py measures first paint and
bytes in Chromium, report.py writes bench/results.md. tests/bench runs it all on tiny data.
"""
