"""Long work (imports, planning runs, inspection plans, rosters, reports) as jobs.

One pattern for everything that takes longer than a page request: a ``Job`` row says
what runs, for whom, how far it is and how it ended; a registered ``JobKind`` says how
to run it. See docs/development.md, "Adding long work".
"""
