"""Words for the demo events: titles, descriptions, rooms, materials and feedback.

`{skill}` stands for the event's main skill. Titles stay within the event title limits for
any skill name of the demo taxonomy (the generator checks, and cuts if ever needed).
"""

WORKSHOP_TITLES = (
    "{skill} from scratch: a hands-on workshop",
    "Hands-on {skill}: build something real in two hours",
    "{skill} clinic: bring your own problem",
    "Getting productive with {skill}",
    "{skill} beyond the basics",
    "A practical introduction to {skill}",
    "{skill} in practice: patterns that work for us",
)
LUNCH_TITLES = (
    "Lunch & learn: what I wish I'd known about {skill}",
    "{skill} in 30 minutes",
    "Lunch & learn: {skill} myths and realities",
    "How our team uses {skill}",
    "Lunch & learn: a tour of {skill}",
)
TEACH_BACK_TITLE = "Teach-back: {title}"

INTROS = {
    "workshop": (
        "A small-group, hands-on session: short explanations, then we try things together "
        "on real examples.",
        "We'll spend most of the time doing rather than listening — expect exercises in "
        "pairs and plenty of questions.",
        "For anyone who wants to go from reading about {skill} to actually using it.",
    ),
    "lunch_and_learn": (
        "Bring your lunch: a relaxed talk with time for questions at the end.",
        "A short, informal session over lunch — no preparation needed.",
        "Grab something to eat and join us for an overview and a few war stories.",
    ),
    "teach_back": (
        "I went to the workshop and want to pass on what I learned, in my own words.",
        "A teach-back: I'll walk through the main ideas from the workshop and what I've "
        "tried since.",
    ),
}
COVERS = (
    "the core ideas of {skill} and when to use them",
    "common mistakes and how to avoid them",
    "a worked example from one of our own projects",
    "tools and shortcuts that save time",
    "how to keep learning {skill} afterwards",
    "questions from the group",
    "a short exercise to try on your own work",
)
AUDIENCES = (
    "Beginners are very welcome.",
    "Some familiarity with {skill} helps, but isn't required.",
    "Aimed at people who already use {skill} now and then.",
    "Open to everyone, whatever your team.",
)
BRING = (
    "Bring a laptop.",
    "Bring a laptop with the usual tools installed.",
    "Nothing to bring — just curiosity.",
    "Bring a question or an example from your own work.",
)

ROOMS = ("Room 2.14", "The Library", "Auditorium", "Room 3.02", "Kitchen area",
         "Workshop room", "Room 1.07", "Meeting room Atlas")
ONLINE_BASE = "https://meet.skillswap.example/"
MATERIAL_BASE = "https://docs.skillswap.example/events/"

MATERIALS = (
    ("Slides", "slides"),
    ("Exercises and solutions", "exercises"),
    ("Recording", "recording"),
    ("Reading list", "reading-list"),
    ("Example repository", "examples"),
    ("Cheat sheet", "cheat-sheet"),
)
MATERIAL_NOTES = (
    "Thanks for coming! The slides and the exercises are linked above; ping me with "
    "questions any time.",
    "Notes from the session:\n\n- start small and iterate\n- write down what surprised you\n"
    "- pair with someone for the first real task",
)

FEEDBACK_COMMENTS = {
    5: ("Really useful, thank you!", "Best session I've been to this quarter.",
        "Clear, practical and fun.", "Exactly the right level for me.", ""),
    4: ("Good session, would have liked more time for exercises.",
        "Very helpful — the examples made it click.", "Great, a bit fast in places.", ""),
    3: ("Useful overview, but I'd hoped for more depth.", "OK — the second half was better.",
        ""),
    2: ("Too basic for me, but well presented.", ""),
}

PROPOSALS = (
    "Could someone run an introductory session on {skill}? Several of us in my team keep "
    "running into it.",
    "I'd love a hands-on session on {skill} — ideally with exercises we can take home.",
    "A lunch-and-learn on how other teams use {skill} would help a lot.",
    "Is anyone up for a deeper dive into {skill}? The basics are covered, the tricky parts "
    "aren't.",
    "Requesting a session on {skill} for people who are completely new to it.",
)
