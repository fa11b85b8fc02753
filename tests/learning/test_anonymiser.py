"""Tests for learning.anonymiser: what it must find, and the look-alikes it must leave alone.

These tests need neither a database nor Django settings.
"""

import pytest

from learning.anonymiser import (
    KIND_LABELS,
    KINDS,
    Finding,
    given_names,
    is_valid_nhs_number,
    nhs_check_digit,
    redact,
    scan,
)

KNOWN_NAMES = ("Priya Shah", "Mr Tom O'Neill", "Siobhán Kelly", "Will Jones", "Grace Hughes")


def found(text, known_names=()):
    """The (kind, exact text) pairs that scan() reports for ``text``."""
    return [(f.kind, text[f.start : f.end]) for f in scan(text, known_names)]


def kinds_found(text, known_names=()):
    return {kind for kind, _ in found(text, known_names)}


def make_nhs_number(first_nine):
    """Build a valid NHS number by computing the modulus 11 check digit."""
    check = nhs_check_digit(first_nine)
    assert check is not None, f"{first_nine} has no valid check digit"
    return first_nine + str(check)


def valid_nhs_numbers(count):
    """The first ``count`` valid NHS numbers from a spread of nine-digit starts."""
    numbers = []
    seed = 401_234_567
    while len(numbers) < count:
        first_nine = str(seed)
        if nhs_check_digit(first_nine) is not None:
            numbers.append(make_nhs_number(first_nine))
        seed += 7_654_321
    return numbers


def invalid_nhs_number(valid):
    """Change the check digit of a valid NHS number so the checksum fails."""
    wrong = (int(valid[-1]) + 1) % 10
    return valid[:-1] + str(wrong)


def spaced(number):
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def dashed(number):
    return f"{number[:3]}-{number[3:6]}-{number[6:]}"


GENERATED_NHS = valid_nhs_numbers(4)


# ---------------------------------------------------------------------------
# Things that must be found: (kind, text, the exact substring expected)
# ---------------------------------------------------------------------------

TRUE_CASES = [
    # email addresses
    ("email", "Email me at jo.bloggs@example.co.uk please.", "jo.bloggs@example.co.uk"),
    ("email", "Contact: priya_shah+hub@council.gov.uk", "priya_shah+hub@council.gov.uk"),
    ("email", "(sam@example.org)", "sam@example.org"),
    ("email", "Write to o'neill@example.com today", "o'neill@example.com"),
    ("email", "Send it to ADMIN@EXAMPLE.COM.", "ADMIN@EXAMPLE.COM"),
    # phone numbers in the forms people write them
    ("phone", "Call me on 07700 900123 after lunch.", "07700 900123"),
    ("phone", "Mobile 07700900123", "07700900123"),
    ("phone", "Office: 0161 496 0000", "0161 496 0000"),
    ("phone", "Ring (0161) 496 0000 any time", "(0161) 496 0000"),
    ("phone", "London office 020 7946 0000.", "020 7946 0000"),
    ("phone", "Fax 01632-960-000", "01632-960-000"),
    ("phone", "From abroad: +44 7700 900123", "+44 7700 900123"),
    ("phone", "Dial +44 (0)20 7946 0000 now", "+44 (0)20 7946 0000"),
    ("phone", "Or 0044 20 7946 0000", "0044 20 7946 0000"),
    ("phone", "Or 0044 7700 900123", "0044 7700 900123"),
    ("phone", "Freephone 0800 123 4567", "0800 123 4567"),
    ("phone", "Text 07700-900-123!", "07700-900-123"),
    # postcodes in every outward format, any case, with or without the space
    ("postcode", "Send it to M1 1AE please", "M1 1AE"),
    ("postcode", "Address: B33 8TH", "B33 8TH"),
    ("postcode", "Address: CR2 6XH", "CR2 6XH"),
    ("postcode", "Address: DN55 1PT", "DN55 1PT"),
    ("postcode", "Address: W1A 0AX", "W1A 0AX"),
    ("postcode", "Address: EC1A 1BB", "EC1A 1BB"),
    ("postcode", "Santa lives at GIR 0AA", "GIR 0AA"),
    ("postcode", "in lower case sw1a 1aa too", "sw1a 1aa"),
    ("postcode", "no space SW1A1AA works", "SW1A1AA"),
    ("postcode", "no space, lower case: ls11ab", "ls11ab"),
    ("postcode", "Leeds (LS1 4DY).", "LS1 4DY"),
    # NHS numbers whose check digit is right
    ("nhs_number", "NHS number 943 476 5919", "943 476 5919"),
    ("nhs_number", "NHS no. 943-476-5919", "943-476-5919"),
    ("nhs_number", "nhs:9434765919.", "9434765919"),
    ("nhs_number", f"Her NHS number is {GENERATED_NHS[0]}", GENERATED_NHS[0]),
    ("nhs_number", f"His is {spaced(GENERATED_NHS[1])} I think", spaced(GENERATED_NHS[1])),
    ("nhs_number", f"Number {dashed(GENERATED_NHS[2])}.", dashed(GENERATED_NHS[2])),
    ("nhs_number", f"({GENERATED_NHS[3]})", GENERATED_NHS[3]),
    ("nhs_number", "NHS 943.476.5919", "943.476.5919"),
    # National Insurance numbers
    ("ni_number", "NI: AB 12 34 56 C", "AB 12 34 56 C"),
    ("ni_number", "NI number AB123456C.", "AB123456C"),
    ("ni_number", "ni number ab123456c", "ab123456c"),
    ("ni_number", "NINO JG103759A", "JG103759A"),
    ("ni_number", "No suffix: AB123456", "AB123456"),
    ("ni_number", "Spaced without suffix: CE 12 34 56 end", "CE 12 34 56"),
    # dates of birth, only with a cue; the date itself is flagged
    ("date_of_birth", "She was born on 3 March 1952.", "3 March 1952"),
    ("date_of_birth", "DOB: 03/03/1952", "03/03/1952"),
    ("date_of_birth", "D.O.B 3.3.52", "3.3.52"),
    ("date_of_birth", "date of birth 1952-03-03", "1952-03-03"),
    ("date_of_birth", "Her birthday is 12 June.", "12 June"),
    ("date_of_birth", "Born: 3rd of March, 1952", "3rd of March, 1952"),
    ("date_of_birth", "born on Monday 3 March 1952", "3 March 1952"),
    ("date_of_birth", "Date of Birth - March 3, 1952", "March 3, 1952"),
    ("date_of_birth", "He was born in 1948 in Kingston", "1948"),
    ("date_of_birth", "dob 12-06-1961", "12-06-1961"),
    ("date_of_birth", "Seen 3 March 1952 (DOB) at home", "3 March 1952"),
    ("date_of_birth", "DOB: 3-Mar-1952", "3-Mar-1952"),
    ("date_of_birth", "dob 3-mar-52 on file", "3-mar-52"),
    ("date_of_birth", "D.O.B. 03/Mar/1952", "03/Mar/1952"),
    ("date_of_birth", "DOB 12 June 80", "12 June 80"),
    ("date_of_birth", "DOB 3 Mar '52", "3 Mar '52"),
    ("date_of_birth", "Date of birth: 1952.", "1952"),
    # street addresses
    ("address", "She lives at 12 Acacia Avenue now.", "12 Acacia Avenue"),
    ("address", "Flat 3, 45 High Street, Leeds", "Flat 3, 45 High Street"),
    ("address", "Visit 221b Baker Street", "221b Baker Street"),
    ("address", "Moved to 7 Mill Lane last year", "7 Mill Lane"),
    ("address", "Flat 2 Rose Court is upstairs", "Flat 2 Rose Court"),
    ("address", "Post to 10 Downing St.", "10 Downing St"),
    ("address", "It is 3 St Mary's Road", "3 St Mary's Road"),
    ("address", "At 14-16 Church Hill Road", "14-16 Church Hill Road"),
    ("address", "New home: 5 Orchard Close", "5 Orchard Close"),
    ("address", "Try 9 Pear Tree Mews", "9 Pear Tree Mews"),
    # names from the bundled list, with a surname when there is one
    ("name", "John Smith came to the meeting.", "John Smith"),
    ("name", "I spoke to Priya about it.", "Priya"),
    ("name", "Mark said he would come.", "Mark"),
    ("name", "Thanks to Grace Hughes for the cake.", "Grace Hughes"),
    ("name", "Mrs May asked a question.", "Mrs May"),
    ("name", "Dr Okonkwo will attend.", "Dr Okonkwo"),
    ("name", "Mrs Priya Shah is the chair.", "Mrs Priya Shah"),
    ("name", "Dear Grace, thank you.", "Grace"),
    ("name", "We asked Will, who agreed.", "Will"),
    ("name", "Jack's daughter rang.", "Jack"),
    ("name", "Mohammed Ali joined us.", "Mohammed Ali"),
    ("name", "Agnieszka Nowak shared her story.", "Agnieszka Nowak"),
    ("name", "Sean O'Brien was late.", "Sean O'Brien"),
    ("name", "Mary-Jane Smith spoke.", "Mary-Jane Smith"),
    ("name", "April Jones agreed.", "April Jones"),
    ("name", "Ms. Kaur agreed.", "Ms. Kaur"),
    ("name", "Mr de Souza came.", "Mr de Souza"),
    ("name", "Omar al Farouk came.", "Omar al Farouk"),
    ("name", "My husband Ken helps.", "Ken"),
    # family and carer words show a person is meant, even for ordinary-word names
    ("name", "My daughter Grace helps me", "Grace"),
    ("name", "My carer Sue comes on Mondays.", "Sue"),
    ("name", "My husband Bill has dementia.", "Bill"),
    ("name", "my mum Hope lives with us", "Hope"),
    ("name", "Our neighbour Okafor checks on me.", "Okafor"),
    ("name", "my carer Ngozi Eze comes twice a day", "Ngozi Eze"),
    # titles, including ones that are also ordinary words when capitalised
    ("name", "Councillor Okafor chaired.", "Councillor Okafor"),
    ("name", "Cllr Mbeki came along.", "Cllr Mbeki"),
    ("name", "Sister Adeyemi changed the dressing.", "Sister Adeyemi"),
    ("name", "Nurse Kowalczyk was kind.", "Nurse Kowalczyk"),
    ("name", "Father O'Connor visited.", "Father O'Connor"),
    ("name", "Lord Patel spoke.", "Lord Patel"),
    ("name", "Lady Hale spoke.", "Lady Hale"),
    ("name", "Miss Okoro taught us.", "Miss Okoro"),
    ("name", "Mx Taylor led it.", "Mx Taylor"),
    # titles that are never ordinary words count in lower case, before a lower-case surname
    ("name", "mrs okonkwo from the day centre rang me", "mrs okonkwo"),
    ("name", "then mr adebayo said no", "mr adebayo"),
    ("name", "dr kowalski changed my tablets", "dr kowalski"),
    ("name", "We wrote to cllr Mbeki.", "cllr Mbeki"),
    # typed the way people type on a phone
    ("address", "I live at 14 mill lane", "14 mill lane"),
    ("address", "flat 2, 7 station road", "flat 2, 7 station road"),
    ("nhs_number", "NHS number 943 4765919", "943 4765919"),
    ("nhs_number", "my nhs no is 94 34 76 59 19.", "94 34 76 59 19"),
    ("date_of_birth", "dob 03 03 1952", "03 03 1952"),
    ("date_of_birth", "Date of birth: 3 3 52", "3 3 52"),
    ("phone", "Tel: 0113 496 0000", "0113 496 0000"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), TRUE_CASES)
def test_it_finds_each_kind_of_personal_detail(kind, text, expected):
    assert (kind, expected) in found(text)


# ---------------------------------------------------------------------------
# Look-alikes that must not be flagged at all (or not as the given kind)
# ---------------------------------------------------------------------------

NOTHING_TO_FIND = [
    # money, counts, years, times, rooms and references are not phone numbers
    "The session cost £12.50 per person.",
    "We spent £1,250 on the venue.",
    "1,250 people replied to the survey.",
    "In 2024 we ran 12 sessions.",
    "Doors open at 10:30 and close at 16:00.",
    "We will be in room 101.",
    "Please quote reference 4857773456.",
    "Please quote reference 12345678.",
    "Invoice INV-2024-0042 is paid.",
    "The 2024-2025 budget was agreed.",
    # words that are also given names, used as ordinary words
    "We will meet in May.",
    "Working Together for Change",
    "Over a Brew",
    "Mark the date in your diary.",
    "I will bring the biscuits.",
    "Grace period applies to late forms.",
    "Dear Sir or Madam,",
    "Will you come on Tuesday?",
    "The meeting is in June.",
    "We hope to see you in April or August.",
    "There is joy in sharing, and hope too.",
    "Frank and honest feedback helped.",
    "The rose garden at Victoria Station.",
    "Penny for your thoughts.",
    "The traffic light was amber.",
    "Summer Fair is on Saturday.",
    "May Day bank holiday.",
    "Bill payments are due.",
    "John Street is closed for repairs.",
    "Christian Aid collection on Sunday.",
    "A trip to Chester Zoo.",
    "St John Ambulance gave first aid.",
    "Sky News filmed the event.",
    "Grant funding is available.",
    "Rose Court residents' meeting.",
    # meeting dates without a date-of-birth cue
    "We will meet on 3 March 2025.",
    "The session on 12/06/2025 is full.",
    "Next meeting: 2025-03-03 at the library.",
    "Deadline 3.3.25 for feedback.",
    # not addresses
    "Room 12 is on the left.",
    "12 people came to the session.",
    "We walked 2 miles up the hill.",
    "Chapter 3 Park life",
    # not National Insurance numbers
    "meet at 123456 Main",
    # family words, titles and street words in ordinary prose
    "the carer support group met on 3 March",
    "my sister helps me on Fridays.",
    "Lane closures affected the bus.",
    "Carer Support Group",
    "My Carer Support Worker visits.",
    "Our councillor came to listen.",
    "The nurse said it was fine.",
    "Nurse led clinics are on Mondays.",
    "I miss the bus on Sundays.",
    "I miss my mum.",
    "People with ms often feel tired.",
    "I had a dr appointment.",
    "The Lord Mayor opened the fair.",
    "Father Christmas came to the party.",
    "My sister and my mum came.",
    "It is a 10 minute walk to the main road.",
    "We walked 2 miles down the lane.",
    "There are 3 people on our road.",
    "Call NHS 111 if you are worried.",
    # empty and plain text
    "",
    "Thank you all for coming today.",
]


@pytest.mark.parametrize("text", NOTHING_TO_FIND)
def test_it_leaves_ordinary_text_alone(text):
    assert found(text) == []


NOT_THIS_KIND = [
    # postcodes breaking the letter rules
    ("postcode", "QA1 1AA"),  # first letter never Q
    ("postcode", "VA1 1AA"),  # first letter never V
    ("postcode", "XA1 1AA"),  # first letter never X
    ("postcode", "AI1 1AA"),  # second letter never I
    ("postcode", "AJ1 1AA"),  # second letter never J
    ("postcode", "AZ1 1AA"),  # second letter never Z
    ("postcode", "M1 1CA"),  # inward letters never C
    ("postcode", "M1 1AK"),  # inward letters never K
    ("postcode", "M1 1MO"),  # inward letters never M or O
    ("postcode", "A1I 1AA"),  # third position never I
    ("postcode", "EC1C 1BB"),  # fourth position never C
    ("postcode", "XSW1A1AAX"),  # inside a longer token
    ("postcode", "ref ABCM1 1AE9"),
    # NHS numbers failing the check digit, or with no possible check digit
    ("nhs_number", invalid_nhs_number("9434765919")),
    ("nhs_number", invalid_nhs_number(GENERATED_NHS[0])),
    ("nhs_number", spaced(invalid_nhs_number(GENERATED_NHS[1]))),
    ("nhs_number", "1000000010"),  # check digit would be 10: never issued
    ("nhs_number", "943 476 59190"),  # part of a longer number
    ("nhs_number", "943 476-5919"),  # mixed separators are not how NHS numbers are written
    # National Insurance numbers with prefixes that are never issued
    ("ni_number", "DA123456A"),  # first letter never D
    ("ni_number", "FA123456A"),  # first letter never F
    ("ni_number", "QA123456A"),  # first letter never Q
    ("ni_number", "AD123456A"),  # second letter never D
    ("ni_number", "AO123456A"),  # second letter never O
    ("ni_number", "BG123456A"),
    ("ni_number", "GB123456A"),
    ("ni_number", "NK123456A"),
    ("ni_number", "TN123456A"),
    ("ni_number", "ZZ123456A"),
    ("ni_number", "AB123456E"),  # suffix only A to D
    ("ni_number", "we meet at 123456"),
    # phone-like numbers that are not phone numbers
    ("phone", "Reference 4857773456"),
    ("phone", "DOB 03.03.1952"),
    ("phone", "Ticket 12345678901"),
    # ordinary dates are not dates of birth
    ("date_of_birth", "The party on 12 June was fun."),
    ("date_of_birth", "Her birthday party was great."),
    ("date_of_birth", "She was born and raised in Leeds."),
]


@pytest.mark.parametrize(("kind", "text"), NOT_THIS_KIND)
def test_it_does_not_flag_look_alikes_as_that_kind(kind, text):
    assert kind not in kinds_found(text)


# ---------------------------------------------------------------------------
# Overlaps
# ---------------------------------------------------------------------------


def test_it_reports_a_street_named_after_a_person_as_one_address():
    assert found("She lives at 12 Victoria Road.") == [("address", "12 Victoria Road")]


def test_it_prefers_an_email_address_over_the_name_inside_it():
    assert found("Write to john.smith@example.com") == [("email", "john.smith@example.com")]


def test_it_prefers_an_nhs_number_over_a_phone_number_with_the_same_digits():
    number = make_nhs_number("012345678")  # starts with 0, so it also looks like a phone
    assert found(f"Number {number}") == [("nhs_number", number)]


def test_it_returns_findings_sorted_and_never_overlapping():
    text = (
        "Priya Shah (priya@example.com, 07700 900123) of 12 Acacia Avenue, LS1 4DY, "
        "NHS 943 476 5919, NI AB123456C, DOB 03/03/1952."
    )
    findings = scan(text)
    assert [f.kind for f in findings] == [
        "name",
        "email",
        "phone",
        "address",
        "postcode",
        "nhs_number",
        "ni_number",
        "date_of_birth",
    ]
    for left, right in zip(findings, findings[1:], strict=False):
        assert left.end <= right.start


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Ring Mary Smith (07700 900123) if you need a lift.", "Ring [name] ([phone number]) if"),
        ("Ring her (07700 900123).", "Ring her ([phone number])."),
        ("Ring her [07700 900123].", "Ring her [[phone number]]."),
        ("Ring (0161) 496 0000 any time", "Ring [phone number] any time"),
        ("Ring (+44) 7700 900123 any time", "Ring [phone number] any time"),
        (
            "Call 07700 900123. Tel: +44 (0)7700 900123. (0161) 496 0000",
            "Call [phone number]. Tel: [phone number]. [phone number]",
        ),
    ],
)
def test_a_phone_number_in_brackets_is_hidden_without_its_brackets(text, redacted):
    """A bracket that is not part of the number stays, so the sentence still reads right;
    brackets inside the number ("(0161)") are hidden with it."""
    assert redact(text, scan(text)).startswith(redacted)


def test_a_ten_digit_number_starting_with_zero_that_fails_the_nhs_check_is_a_phone_number():
    number = invalid_nhs_number(make_nhs_number("012345678"))
    assert found(f"Call {number}") == [("phone", number)]


# ---------------------------------------------------------------------------
# Names of people known to the hub
# ---------------------------------------------------------------------------

KNOWN_NAME_CASES = [
    ("Priya Shah opened the meeting.", "Priya Shah"),
    ("priya shah opened the meeting.", "priya shah"),
    ("I spoke to Priya yesterday.", "Priya"),
    ("Mrs Shah agreed.", "Mrs Shah"),
    ("Ms. Shah agreed.", "Ms. Shah"),
    ("Mr Tom O'Neill was there.", "Mr Tom O'Neill"),
    ("Tom O’Neill was there.", "Tom O’Neill"),  # curly apostrophe
    ("Mr O'Neill was there.", "Mr O'Neill"),
    ("Siobhán Kelly led the session.", "Siobhán Kelly"),
    ("Siobhan Kelly led the session.", "Siobhan Kelly"),  # accent left off
    ("SIOBHÁN KELLY led the session.", "SIOBHÁN KELLY"),
    ("Dr Kelly led the session.", "Dr Kelly"),
    ("Thanks to Siobhán.", "Siobhán"),
    ("I met Grace at the café.", "Grace"),
    ("Will said he can come.", "Will"),
    ("Will Jones can come.", "Will Jones"),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN_NAME_CASES)
def test_it_finds_known_names_in_full_by_first_name_or_by_title_and_surname(text, expected):
    assert ("name", expected) in found(text, KNOWN_NAMES)


KNOWN_NAME_LOOK_ALIKES = [
    "I will bring the cake.",
    "Will you come?",
    "Grace period applies.",
    "Tomorrow we meet.",
    "Willingness matters.",
    "It went gracefully.",
    "the shah of Iran",  # a surname alone counts only with a capital
    "We meet in May.",
]


@pytest.mark.parametrize("text", KNOWN_NAME_LOOK_ALIKES)
def test_it_does_not_match_known_names_inside_other_words_or_ordinary_uses(text):
    assert found(text, KNOWN_NAMES + ("May Chen",)) == []


# People known to the hub whose surnames are rare words, or common English words.
KNOWN_BY_SURNAME = (
    "David Nwosu",
    "Daniel Okafor",
    "Tom O'Neill",
    "Bola Adeyemi",
    "Amir Hassan",
    "Vincent Price",
    "Hannah Green",
    "Theresa May",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nwosu gave me a lift every week and Okafor always saved me a seat by the door.",
            ["Nwosu", "Okafor"],
        ),
        ("We sat with O'Neill and Adeyemi.", ["O'Neill", "Adeyemi"]),
        ("We sat with O’Neill.", ["O’Neill"]),  # curly apostrophe
        ("Hassan's mum came too.", ["Hassan"]),
        ("Ask Hassan.", ["Hassan"]),
        ("NWOSU came again.", ["NWOSU"]),
        ("The minutes were taken by\nOkafor.", ["Okafor"]),
        # surnames that are also words, where the words around them show a person
        ("Green said it was fine.", ["Green"]),
        ("I asked Price about it.", ["Price"]),
        ("Thanks, Green, for the tea.", ["Green"]),
        ("May said she would come.", ["May"]),
    ],
)
def test_a_known_persons_surname_on_its_own_is_found(text, expected):
    assert found(text, KNOWN_BY_SURNAME) == [("name", name) for name in expected]


@pytest.mark.parametrize(
    "text",
    [
        "We talked about the price of the tickets.",
        "Green is my favourite colour.",
        "Price: five pounds a session.",
        "We meet in May.",
        "The Price Review said the Green Party was there.",
        "PRICE LIST",
        "The room was painted green.",
        "Okafor-Smith Ltd paid the invoice.",  # part of something longer
        "nwosu",  # without a capital, a rare word could be anything
    ],
)
def test_a_known_surname_that_is_a_word_or_not_capitalised_is_left_alone(text):
    assert found(text, KNOWN_BY_SURNAME) == []


def test_a_known_surname_is_not_flagged_for_people_the_hub_does_not_know():
    assert found("Nwosu gave me a lift.", ["David Okafor"]) == []


KNOWN_FIRST_NAMES_THAT_ARE_WORDS = (
    "Don Smith",
    "Kit Harris",
    "Art Jones",
    "Van Nguyen",
    "Matt Brown",
)


@pytest.mark.parametrize(
    "text",
    [
        "I don't like long meetings.",
        "Every new member gets a welcome kit.",
        "The art group meets on Fridays.",
        "We hired a minibus van for the trip.",
        "Print it on matt paper.",
        "Special ed classes and a prem baby unit.",
    ],
)
def test_a_first_name_that_is_also_a_word_needs_a_capital_on_its_own(text):
    assert found(text, KNOWN_FIRST_NAMES_THAT_ARE_WORDS + KNOWN_NAMES) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don brought the biscuits.", "Don"),
        ("Thanks to Kit for the lift.", "Kit"),
        ("don smith brought the biscuits.", "don smith"),
        ("we thanked mr harris.", "mr harris"),
        ("we thanked mrs matt.", "mrs matt"),
    ],
)
def test_known_names_with_a_capital_a_surname_or_a_title_are_still_found(text, expected):
    assert ("name", expected) in found(text, KNOWN_FIRST_NAMES_THAT_ARE_WORDS)


def test_it_matches_a_known_name_given_without_accents_to_accented_text():
    assert found("Łukasz Nowak and Siobhán came.", ["Lukasz Nowak", "Siobhan Kelly"]) == [
        ("name", "Łukasz Nowak"),
        ("name", "Siobhán"),
    ]


def test_it_does_not_treat_a_known_hub_member_called_may_as_the_month():
    text = "We meet in May. May said she would come."
    assert found(text, ["May Chen"]) == [("name", "May")]
    assert scan(text, ["May Chen"])[0].start == text.index("May said")


def test_it_accepts_known_names_as_any_iterable():
    assert found("Priya came.", iter(["Priya Shah"])) == [("name", "Priya")]


def test_it_finds_a_possessive_known_name_without_the_apostrophe_s():
    assert found("Priya's mum rang.", ["Priya Shah"]) == [("name", "Priya")]
    assert found("Priya Shah's mum rang.", ["Priya Shah"]) == [("name", "Priya Shah")]


def test_it_matches_a_known_name_written_with_an_initial_or_a_middle_name():
    names = ["J. Okafor", "Ana Maria de la Cruz"]
    assert found("J. Okafor came.", names) == [("name", "J. Okafor")]
    assert found("Ana Maria de la Cruz came.", names) == [("name", "Ana Maria de la Cruz")]
    assert found("ana cruz came.", names) == [("name", "ana cruz")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("We waved to tom.", "tom"),
        ("i spoke to john about it", "john"),
        ("SARAH was upset.", "SARAH"),
        ("my son jack was there", "jack"),
        ("her carer sue came", "sue"),
    ],
)
def test_a_common_first_name_typed_in_lower_case_or_capitals_is_found(text, name):
    """People write quickly; a name without its capital is just as personal. Names that
    are also ordinary words are found in lower case only after a family or carer word."""
    assert ("name", name) in found(text, [])


@pytest.mark.parametrize("text", ["i will ask carol", "may we meet in june", "I WILL GO"])
def test_lower_case_or_capitals_leave_names_that_are_ordinary_words_alone(text):
    assert found(text, []) == []


def test_it_does_not_match_a_known_name_glued_to_digits_or_a_hyphen():
    assert found("Log in as priya2 or x-Priya.", ["Priya Shah"]) == []


def test_it_finds_known_names_across_a_line_break_and_after_a_quote():
    assert found("Chaired by Priya\nShah.", ["Priya Shah"]) == [("name", "Priya\nShah")]
    assert found("We said 'Priya' twice.", ["Priya Shah"]) == [("name", "Priya")]


# ---------------------------------------------------------------------------
# Unicode text
# ---------------------------------------------------------------------------


def test_it_finds_names_with_accents_and_polish_letters():
    text = "Małgorzata Wiśniewska i Łukasz przyszli."
    assert ("name", "Małgorzata Wiśniewska") in found(text)
    assert ("name", "Łukasz") in found(text)


def test_it_keeps_offsets_right_after_emoji_and_non_latin_text():
    text = "🙂 Привет! Call 07700 900123 — Róisín Byrne said hi."
    results = found(text)
    assert ("phone", "07700 900123") in results
    assert ("name", "Róisín Byrne") in results


def test_it_redacts_unicode_text_without_damaging_it():
    text = "Zoë’s email is zoë@example.com ✉"
    assert redact(text, scan(text)) == "[name]’s email is [email address] ✉"


# ---------------------------------------------------------------------------
# redact()
# ---------------------------------------------------------------------------


def test_redact_replaces_a_span_with_its_label_and_keeps_the_rest():
    text = "Call 07700 900123 today."
    assert redact(text, scan(text)) == "Call [phone number] today."


def test_redact_handles_several_findings_of_different_kinds():
    text = "John Smith, 12 Acacia Avenue, LS1 4DY, NHS 943 476 5919."
    assert redact(text, scan(text)) == "[name], [address], [postcode], NHS [NHS number]."


def test_redact_of_empty_text_is_empty():
    assert redact("", scan("")) == ""


def test_redact_with_no_findings_returns_the_text_unchanged():
    text = "Nothing personal here."
    assert redact(text, []) == text


def test_redact_accepts_findings_in_any_order():
    text = "a b c"
    findings = [Finding("name", 4, 5), Finding("email", 0, 1)]
    assert redact(text, findings) == "[email address] b [name]"


def test_redact_skips_a_finding_that_overlaps_an_earlier_one():
    text = "abcdef"
    findings = [Finding("name", 0, 4), Finding("phone", 2, 6)]
    assert redact(text, findings) == "[name]ef"


def test_redact_keeps_the_date_of_birth_cue_word():
    text = "DOB: 03/03/1952"
    assert redact(text, scan(text)) == "DOB: [date of birth]"


def test_redact_uses_national_insurance_label():
    text = "NI AB123456C"
    assert redact(text, scan(text)) == "NI [National Insurance number]"


# ---------------------------------------------------------------------------
# The interface other parts of the hub rely on
# ---------------------------------------------------------------------------


def test_every_kind_has_a_plain_english_label():
    assert set(KIND_LABELS) == set(KINDS)
    for kind in KINDS:
        label = Finding(kind, 0, 1).label
        assert label.startswith("[") and label.endswith("]")
    assert Finding("name", 0, 1).label == "[name]"
    assert Finding("phone", 0, 1).label == "[phone number]"


def test_findings_are_frozen():
    finding = Finding("name", 0, 1)
    with pytest.raises(AttributeError):
        finding.start = 3


def test_the_nhs_check_digit_follows_the_modulus_11_rule():
    assert is_valid_nhs_number("9434765919")
    assert not is_valid_nhs_number("9434765918")
    assert nhs_check_digit("100000001") is None  # remainder gives 10: never issued
    for number in GENERATED_NHS:
        assert is_valid_nhs_number(number)
        assert not is_valid_nhs_number(invalid_nhs_number(number))


def test_the_bundled_given_names_list_is_a_sensible_size_and_cached():
    names = given_names()
    assert 500 <= len(names) <= 2000
    assert {"priya", "john", "agnieszka", "siobhan", "mohammed"} <= names
    assert given_names() is names


# --- Names after care roles, and two-letter names ---------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my social worker Okwuosa came round", "Okwuosa"),
        ("my PA Okwuosa came round", "Okwuosa"),
        ("my support worker Okwuosa came round", "Okwuosa"),
        ("the care worker Okwuosa came round", "Okwuosa"),
        ("my personal assistant Okwuosa came round", "Okwuosa"),
        ("her advocate Okwuosa came round", "Okwuosa"),
        ("our keyworker Okwuosa came round", "Okwuosa"),
        ("my OT Okwuosa came round", "Okwuosa"),
        ("my GP Okwuosa came round", "Okwuosa"),
        ("My Social Worker Okwuosa came round", "Okwuosa"),
        ("my social worker Jo came round", "Jo"),
        ("Jo came to every meeting.", "Jo"),
        ("Ed said the room was too hot.", "Ed"),
        ("We spoke to Al Farouk about it.", "Al Farouk"),
        ("Mo said it helped.", "Mo"),
        ("Di Jones chaired it.", "Di Jones"),
    ],
)
def test_it_finds_names_after_care_roles_and_short_names(text, expected):
    assert found(text) == [("name", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "We advocate Change in how meetings run.",
        "The Support Worker Awards were held in May.",
        "Open Mo-Fri, 9 to 5.",
        "Open Mo–Fri, 9 to 5.",
        "Al-Anon meets on Tuesdays.",
        "the GP Surgery was busy",
        "our social worker said it was fine",
    ],
)
def test_care_roles_and_short_names_leave_ordinary_text_alone(text):
    assert found(text) == []
