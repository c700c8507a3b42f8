"""The built-in survey templates, in German and English.

Written as data, once for both languages (each text a German/English pair),
so the two versions cannot drift apart in their questions or ids: a response
to the German inventory and one to the English inventory can be compared
question by question.
"""

from __future__ import annotations

from rooms.surveys.definition import Condition, Kind, Option, Question, Section, Survey

T = tuple[str, str]  # (German, English)


class _Lang:
    def __init__(self, lang: str) -> None:
        self.i = 0 if lang == "de" else 1

    def __call__(self, pair: T) -> str:
        return pair[self.i]

    def options(self, *pairs: tuple[str, T]) -> list[Option]:
        return [Option(key, pair[self.i]) for key, pair in pairs]


FREQUENCY = (
    ("weekly", ("wöchentlich", "weekly")),
    ("monthly", ("monatlich", "monthly")),
    ("quarterly", ("vierteljährlich", "quarterly")),
    ("half_yearly", ("halbjährlich", "twice a year")),
    ("yearly", ("jährlich", "once a year")),
    ("irregular", ("unregelmäßig", "irregularly")),
)
MEMBER_TYPES = (
    ("business", ("Unternehmen", "Businesses")),
    ("union", ("Gewerkschaften", "Unions")),
    ("chamber", ("Kammern und Verbände", "Chambers and associations")),
    ("public", ("Kommunen und Verwaltung", "Municipalities and administration")),
    ("research", ("Forschung und Bildung", "Research and education")),
    ("civil_society", ("Zivilgesellschaft", "Civil society")),
)
TOPICS = (
    ("skilled_workers", ("Fachkräfte", "Skilled workers")),
    ("energy", ("Energie", "Energy")),
    ("digitalisation", ("Digitalisierung", "Digitalisation")),
    ("mobility", ("Mobilität", "Mobility")),
    ("land", ("Flächen", "Land and sites")),
    ("image", ("Image der Industrie", "Image of industry")),
    ("innovation", ("Innovation", "Innovation")),
    ("transformation", ("Transformation", "Transformation")),
)
YES_NO = (("yes", ("Ja", "Yes")), ("no", ("Nein", "No")))
GRADES = (
    ("1", ("sehr schlecht", "very poor")),
    ("2", ("schlecht", "poor")),
    ("3", ("teils, teils", "fair")),
    ("4", ("gut", "good")),
    ("5", ("sehr gut", "very good")),
)


def inventory(lang: str) -> Survey:
    """ "Bestandsaufnahme regionaler Industrieinitiativen": the study's questionnaire."""
    t = _Lang(lang)
    members = [
        Question(
            f"members_{key}",
            Kind.NUMBER,
            t(("Wie viele Mitglieder: ", "How many members: ")) + label[t.i],
            minimum=1,
            maximum=100000,
            show_if=Condition("member_types", [key]),
        )
        for key, label in MEMBER_TYPES
    ]
    return Survey(
        title=t(
            (
                "Bestandsaufnahme regionaler Industrieinitiativen",
                "Inventory of regional industry initiatives",
            )
        ),
        intro=t(
            (
                "Wie viele regionale Industrieinitiativen und -bündnisse gibt es, wer ist dabei, "
                "und woran arbeiten sie? Die Antworten dauern etwa 10 Minuten. Ihre Angaben "
                "werden anonym ausgewertet; Kontaktdaten nur mit Ihrer Einwilligung.",
                "How many regional industry initiatives and alliances are there, who is in them, "
                "and what do they work on? Answering takes about 10 minutes. Your answers are "
                "analysed anonymously; contact details only with your consent.",
            )
        ),
        language=lang,
        thanks=t(
            (
                "Vielen Dank! Ihre Angaben helfen, die Initiativen sichtbar zu machen "
                "und zu vernetzen.",
                "Thank you! Your answers help to make the initiatives visible and connect them.",
            )
        ),
        sections=[
            Section(
                "initiative",
                t(("Die Initiative", "The initiative")),
                [
                    Question(
                        "name",
                        Kind.SHORT_TEXT,
                        t(("Name der Initiative", "Name of the initiative")),
                        required=True,
                        max_length=120,
                    ),
                    Question(
                        "region",
                        Kind.REGION,
                        t(("In welchem Land ist sie tätig?", "In which Land does it work?")),
                        required=True,
                    ),
                    Question(
                        "postcode",
                        Kind.POSTCODE,
                        t(("Postleitzahl ihres Sitzes", "Postcode of its seat")),
                        help=t(("Fünf Ziffern, zum Beispiel 44137", "Five digits, e.g. 44137")),
                    ),
                    Question(
                        "area",
                        Kind.SHORT_TEXT,
                        t(("Region oder Landkreis", "Region or district")),
                        max_length=120,
                    ),
                    Question(
                        "founded",
                        Kind.NUMBER,
                        t(("Gründungsjahr", "Year founded")),
                        required=True,
                        minimum=1945,
                        maximum=2030,
                    ),
                    Question(
                        "respondent_type",
                        Kind.ORGANISATION,
                        t(
                            (
                                "Für welche Art von Organisation antworten Sie?",
                                "What kind of organisation do you answer for?",
                            )
                        ),
                        required=True,
                    ),
                ],
            ),
            Section(
                "members",
                t(("Mitglieder", "Members")),
                [
                    Question(
                        "member_types",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Wer ist Mitglied der Initiative?",
                                "Who are the members of the initiative?",
                            )
                        ),
                        help=t(("Mehrere Antworten möglich", "Choose all that apply")),
                        required=True,
                        options=t.options(*MEMBER_TYPES),
                        other=True,
                    ),
                    *members,
                ],
            ),
            Section(
                "cooperation",
                t(("Treffen und Zusammenarbeit", "Meetings and cooperation")),
                [
                    Question(
                        "meetings",
                        Kind.SINGLE,
                        t(("Wie oft trifft sich die Initiative?", "How often does it meet?")),
                        required=True,
                        options=t.options(*FREQUENCY),
                    ),
                    Question(
                        "last_meeting",
                        Kind.DATE,
                        t(("Wann war das letzte Treffen?", "When was the last meeting?")),
                    ),
                    Question(
                        "forms",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Wie arbeiten die Mitglieder zusammen?",
                                "How do the members work together?",
                            )
                        ),
                        required=True,
                        options=t.options(
                            ("working_groups", ("Arbeitsgruppen", "Working groups")),
                            ("projects", ("Gemeinsame Projekte", "Joint projects")),
                            ("events", ("Veranstaltungen", "Events")),
                        ),
                        other=True,
                    ),
                    Question(
                        "working_groups",
                        Kind.NUMBER,
                        t(
                            (
                                "Wie viele Arbeitsgruppen gibt es?",
                                "How many working groups are there?",
                            )
                        ),
                        minimum=1,
                        maximum=100,
                        show_if=Condition("forms", ["working_groups"]),
                    ),
                    Question(
                        "closeness",
                        Kind.SCALE,
                        t(("Wie eng ist die Zusammenarbeit?", "How close is the cooperation?")),
                        low=1,
                        high=5,
                        low_label=t(("lose", "loose")),
                        high_label=t(("sehr eng", "very close")),
                    ),
                ],
            ),
            Section(
                "topics",
                t(("Themen und Ziele", "Topics and goals")),
                [
                    Question(
                        "topics",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Welche Themen bearbeitet die Initiative?",
                                "Which topics does it work on?",
                            )
                        ),
                        help=t(("Mehrere Antworten möglich", "Choose all that apply")),
                        required=True,
                        options=t.options(*TOPICS),
                        other=True,
                    ),
                    Question(
                        "priorities",
                        Kind.RANKING,
                        t(
                            (
                                "Was ist der Initiative am wichtigsten? Bitte ordnen Sie.",
                                "What matters most to the initiative? Please rank.",
                            )
                        ),
                        options=t.options(
                            ("site", ("Den Standort sichern", "Securing the location")),
                            ("jobs", ("Gute Arbeit und Beschäftigung", "Good work and jobs")),
                            ("change", ("Den Wandel gestalten", "Shaping the transformation")),
                            ("network", ("Akteure vernetzen", "Connecting people")),
                        ),
                    ),
                    Question(
                        "goals",
                        Kind.LONG_TEXT,
                        t(("Welche Ziele verfolgt die Initiative?", "What are its goals?")),
                        required=True,
                        max_length=2000,
                    ),
                ],
            ),
            Section(
                "practice",
                t(("Umsetzung und Ergebnisse", "Putting goals into practice")),
                [
                    Question(
                        "means",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Wie setzt die Initiative ihre Ziele um?",
                                "How does it put its goals into practice?",
                            )
                        ),
                        options=t.options(
                            ("projects", ("Projekte", "Projects")),
                            ("papers", ("Positionspapiere", "Position papers")),
                            ("politics", ("Gespräche mit der Politik", "Talks with policy makers")),
                            ("funding", ("Förderanträge", "Funding applications")),
                            ("events", ("Veranstaltungen", "Events")),
                        ),
                        other=True,
                    ),
                    Question(
                        "outcomes",
                        Kind.LONG_TEXT,
                        t(("Was ist daraus entstanden?", "What has come of it?")),
                        max_length=2000,
                    ),
                    Question(
                        "rating",
                        Kind.MATRIX,
                        t(("Wie bewerten Sie …", "How do you rate …")),
                        options=t.options(*GRADES),
                        rows=t.options(
                            ("goals", ("das Erreichen der Ziele", "reaching the goals")),
                            ("inside", ("die Zusammenarbeit innen", "the cooperation inside")),
                            ("visibility", ("die Sichtbarkeit", "the visibility")),
                        ),
                    ),
                ],
            ),
            Section(
                "network",
                t(("Vernetzung und Öffentlichkeit", "Networking and the public")),
                [
                    Question(
                        "networked",
                        Kind.SINGLE,
                        t(
                            (
                                "Arbeitet die Initiative mit anderen Initiativen zusammen?",
                                "Does it work with other initiatives?",
                            )
                        ),
                        required=True,
                        options=t.options(*YES_NO),
                    ),
                    Question(
                        "partners",
                        Kind.SHORT_TEXT,
                        t(("Mit welchen?", "Which ones?")),
                        max_length=200,
                        show_if=Condition("networked", ["yes"]),
                    ),
                    Question(
                        "channels",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Über welche Kanäle erreicht sie die Öffentlichkeit?",
                                "Through which channels does it reach the public?",
                            )
                        ),
                        options=t.options(
                            ("website", ("Website", "Website")),
                            ("social", ("Soziale Medien", "Social media")),
                            ("newsletter", ("Newsletter", "Newsletter")),
                            ("press", ("Presse", "Press")),
                            ("public_events", ("Öffentliche Veranstaltungen", "Public events")),
                        ),
                        other=True,
                    ),
                ],
            ),
            Section(
                "contact",
                t(("Kontakt für das Verzeichnis", "Contact for the directory")),
                [
                    Question(
                        "consent",
                        Kind.SINGLE,
                        t(
                            (
                                "Dürfen wir die Initiative mit einer Ansprechperson in das "
                                "Verzeichnis der Initiativen aufnehmen?",
                                "May we list the initiative with a contact person in the "
                                "directory of initiatives?",
                            )
                        ),
                        help=t(
                            (
                                "Die Einwilligung können Sie jederzeit widerrufen.",
                                "You can withdraw your consent at any time.",
                            )
                        ),
                        required=True,
                        options=t.options(*YES_NO),
                    ),
                    Question(
                        "contact_name",
                        Kind.SHORT_TEXT,
                        t(("Name der Ansprechperson", "Name of the contact person")),
                        required=True,
                        max_length=120,
                        personal=True,
                        show_if=Condition("consent", ["yes"]),
                    ),
                    Question(
                        "contact_email",
                        Kind.SHORT_TEXT,
                        t(("E-Mail-Adresse", "Email address")),
                        required=True,
                        max_length=200,
                        personal=True,
                        show_if=Condition("consent", ["yes"]),
                    ),
                ],
            ),
        ],
    )


def expectations(lang: str) -> Survey:
    """ "Erwartungen vor der Veranstaltung": short, for the registration."""
    t = _Lang(lang)
    return Survey(
        title=t(("Erwartungen vor der Veranstaltung", "Expectations before the event")),
        intro=t(
            (
                "Damit wir die Veranstaltung gut vorbereiten können: drei Minuten, anonym.",
                "So that we can prepare the event well: three minutes, anonymous.",
            )
        ),
        language=lang,
        thanks=t(("Vielen Dank, bis bald!", "Thank you, see you soon!")),
        sections=[
            Section(
                "about",
                t(("Über Sie", "About you")),
                [
                    Question(
                        "organisation",
                        Kind.ORGANISATION,
                        t(
                            (
                                "Für welche Art von Organisation kommen Sie?",
                                "What kind of organisation do you come for?",
                            )
                        ),
                        required=True,
                    ),
                    Question(
                        "region",
                        Kind.REGION,
                        t(("Aus welchem Land kommen Sie?", "Which Land do you come from?")),
                    ),
                ],
            ),
            Section(
                "expectations",
                t(("Ihre Erwartungen", "Your expectations")),
                [
                    Question(
                        "topics",
                        Kind.MULTIPLE,
                        t(
                            (
                                "Welche Themen interessieren Sie am meisten?",
                                "Which topics interest you most?",
                            )
                        ),
                        help=t(("Höchstens drei", "At most three")),
                        options=t.options(*TOPICS),
                        other=True,
                        max_choices=3,
                    ),
                    Question(
                        "knowledge",
                        Kind.SCALE,
                        t(
                            (
                                "Wie gut kennen Sie sich mit dem Thema aus?",
                                "How well do you know the subject?",
                            )
                        ),
                        low=1,
                        high=5,
                        low_label=t(("kaum", "hardly")),
                        high_label=t(("sehr gut", "very well")),
                    ),
                    Question(
                        "hopes",
                        Kind.LONG_TEXT,
                        t(("Was möchten Sie mitnehmen?", "What would you like to take away?")),
                        max_length=1000,
                    ),
                ],
            ),
        ],
    )


def feedback(lang: str) -> Survey:
    """ "Feedback nach der Veranstaltung": short, at the end of the agenda or afterwards."""
    t = _Lang(lang)
    return Survey(
        title=t(("Feedback nach der Veranstaltung", "Feedback after the event")),
        intro=t(
            (
                "Wie war es? Zwei Minuten, anonym.",
                "How was it? Two minutes, anonymous.",
            )
        ),
        language=lang,
        thanks=t(("Vielen Dank für Ihre Rückmeldung!", "Thank you for your feedback!")),
        sections=[
            Section(
                "overall",
                t(("Ihr Eindruck", "Your impression")),
                [
                    Question(
                        "satisfaction",
                        Kind.SCALE,
                        t(("Wie zufrieden sind Sie insgesamt?", "How satisfied are you overall?")),
                        required=True,
                        low=1,
                        high=5,
                        low_label=t(("gar nicht", "not at all")),
                        high_label=t(("sehr", "very")),
                    ),
                    Question(
                        "aspects",
                        Kind.MATRIX,
                        t(("Wie bewerten Sie …", "How do you rate …")),
                        options=t.options(*GRADES),
                        rows=t.options(
                            ("organisation", ("die Organisation", "the organisation")),
                            ("content", ("die Inhalte", "the content")),
                            ("discussion", ("den Austausch", "the discussion")),
                            ("results", ("die Ergebnisse", "the results")),
                        ),
                    ),
                    Question(
                        "again",
                        Kind.SINGLE,
                        t(("Würden Sie wieder teilnehmen?", "Would you take part again?")),
                        options=t.options(
                            ("yes", ("Ja", "Yes")),
                            ("maybe", ("Vielleicht", "Maybe")),
                            ("no", ("Nein", "No")),
                        ),
                    ),
                ],
            ),
            Section(
                "comments",
                t(("Ihre Hinweise", "Your comments")),
                [
                    Question(
                        "best",
                        Kind.LONG_TEXT,
                        t(("Was war gut?", "What was good?")),
                        max_length=1000,
                    ),
                    Question(
                        "improve",
                        Kind.LONG_TEXT,
                        t(("Was sollten wir besser machen?", "What should we do better?")),
                        max_length=1000,
                    ),
                    Question(
                        "organisation",
                        Kind.ORGANISATION,
                        t(
                            (
                                "Für welche Art von Organisation waren Sie da?",
                                "What kind of organisation were you there for?",
                            )
                        ),
                    ),
                ],
            ),
        ],
    )


TEMPLATES = {
    "bestandsaufnahme": inventory,
    "erwartungen": expectations,
    "feedback": feedback,
}


def template(name: str, lang: str = "de") -> Survey | None:
    make = TEMPLATES.get(name)
    return make(lang if lang in ("de", "en") else "de") if make else None
