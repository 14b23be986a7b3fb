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


def context(policy: str | None) -> dict[str, bool]:
    """The validation context of a question saved into a bank of `policy` (see
    quizapp.domain.questions: a traced bank requires an explanation and a citation)."""
    return {"traced": policy != FREE}


STORED = {"traced": False}  # re-reading what is stored: it was checked when it was saved
