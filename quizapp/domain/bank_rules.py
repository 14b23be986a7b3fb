"""A bank's source policy: what its questions must carry (pure).

- **traced**: every question cites a paragraph of one of the bank's sources
  (`article#n`) and explains its answer; the source check runs on it.
- **free**: citations and explanations are optional; the bank page lists the questions
  without them as work to do.
"""

TRACED, FREE = "traced", "free"
POLICIES = {TRACED: "Traced: every question cites a paragraph of the bank's sources and is "
                    "checked against it",
            FREE: "Free: citations and explanations are optional"}
