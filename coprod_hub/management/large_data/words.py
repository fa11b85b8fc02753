"""The words the large data set builds names, titles and descriptions from.

These are the lists more than one part uses (towns, topics, sentences), the benchmark's
search words, which must keep appearing in those titles, and the email domain that marks
every person the seeder writes. Lists only one part uses live in that part's module.
"""

EMAIL_DOMAIN = "large.example.org"

# Words the benchmark searches for. They appear in many titles, as real searches would.
OPPORTUNITY_SEARCH_WORD = "carers"
GUIDE_SEARCH_WORD = "transport"  # in "community transport" and in lessons

TOWNS = [
    "Northtown", "Southbridge", "Eastmoor", "Westfield", "Kingsford", "Ashby", "Brookvale",
    "Castleton", "Dunmore", "Elmstead", "Fairhaven", "Greywell", "Hollins", "Ironbridge",
    "Larkhill", "Millbrook", "Newholme", "Oakworth", "Pennington", "Riverside",
]  # fmt: skip

# Topic phrases that titles are built from; "carers" is the benchmark's search word.
TOPIC_PHRASES = [
    "carers' breaks", "support for unpaid carers", "young carers", "carers' assessments",
    "dementia cafés", "memory services", "day opportunities", "supported living",
    "autism diagnosis", "mental health crisis support", "wheelchair services",
    "home care visits", "community transport", "accessible buses", "extra care housing",
    "direct payments", "personal assistants", "hospital discharge", "loneliness",
    "digital skills", "short breaks", "easy read letters", "adult safeguarding",
    "the carers' strategy", "respite for carers", "the local offer",
]  # fmt: skip

SENTENCES = [
    "We want to hear from people who use these services and from the people who care for them.",
    "You do not need any experience. Come as you are and bring a friend if that helps.",
    "We will explain what the council already knows, then ask what matters most to you.",
    "What you tell us will shape the plan we take to the care and health board.",
    "There will be breaks, and you can leave at any time.",
    "Staff from the council and the voluntary sector will be there to listen.",
    "We will write back to everyone who came to say what we did with their ideas.",
    "Easy read papers are sent a week before. Ask us for large print or audio.",
    "We pay for your time and your travel, and we can pay for someone to cover your care.",
    "The session is led by people who draw on care and support themselves.",
    "We will look at real letters and forms and make them clearer together.",
    "Your experience of getting help, good or bad, is what we need.",
]
