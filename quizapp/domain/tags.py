"""The topic tags questions may carry (documented in question_bank/README.md)."""

TAGS: dict[str, str] = {
    "venue": "Venue",
    "participants": "Participants",
    "agenda": "Agenda",
    "outcome": "Outcome",
    "balancing": "Lukashenka's balancing",
    "economy": "Economy and trade",
    "implications": "Implications and reactions",
    "global-picture": "Trafficking worldwide",
    "victim-statistics": "Victim statistics",
    "routes": "Origins and destinations",
    "assistance": "Assistance to victims",
    "un-milestones": "UN milestones",
    "international": "Other international milestones",
    "motives": "Motives",
    "people": "People",
}


def tag_label(tag: str) -> str:
    return TAGS.get(tag, tag.replace("-", " ").capitalize())
