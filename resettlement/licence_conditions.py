"""The standard licence conditions, as data: the legal wording's gist, a plain version the person
can read, and why each one is there, in English and Welsh.

Every licence carries these; additional conditions are set person by person and are not here.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = (
    "Criminal Justice Act 2003, s.250; Criminal Justice (Sentencing) (Licence Conditions) "
    "Order 2015, standard conditions"
)


@dataclass(frozen=True)
class LicenceCondition:
    id: str
    legal: str
    plain: dict[str, str]
    why: dict[str, str]
    source: str = SOURCE


STANDARD_CONDITIONS: tuple[LicenceCondition, ...] = (
    LicenceCondition(
        id="good_behaviour",
        legal="Be of good behaviour and not behave in a way which undermines the purpose of "
        "the licence period.",
        plain={
            "en": "Behave well. Do not do things that could lead you back to crime.",
            "cy": "Ymddwyn yn dda. Peidiwch â gwneud pethau a allai eich arwain yn ôl at drosedd.",
        },
        why={
            "en": "Your licence is there to help you settle back in and to keep people safe.",
            "cy": "Mae eich trwydded yno i'ch helpu i setlo'n ôl ac i gadw pobl yn ddiogel.",
        },
    ),
    LicenceCondition(
        id="no_offence",
        legal="Not commit any offence.",
        plain={"en": "Do not break the law.", "cy": "Peidiwch â thorri'r gyfraith."},
        why={
            "en": "If you break the law, you can be sent back to prison.",
            "cy": "Os byddwch yn torri'r gyfraith, gallwch gael eich anfon yn ôl i'r carchar.",
        },
    ),
    LicenceCondition(
        id="keep_in_touch",
        legal="Keep in touch with the supervising officer in accordance with instructions "
        "given by the supervising officer.",
        plain={
            "en": "Keep in touch with your probation officer. Go to every appointment they "
            "give you.",
            "cy": "Cadwch mewn cysylltiad â'ch swyddog prawf. Ewch i bob apwyntiad maen nhw'n "
            "ei roi i chi.",
        },
        why={
            "en": "Your probation officer helps you with your plan and checks that you are safe.",
            "cy": "Mae eich swyddog prawf yn eich helpu gyda'ch cynllun ac yn gwirio eich bod "
            "yn ddiogel.",
        },
    ),
    LicenceCondition(
        id="receive_visits",
        legal="Receive visits from the supervising officer in accordance with instructions "
        "given by the supervising officer.",
        plain={
            "en": "Let your probation officer visit you at home when they ask.",
            "cy": "Gadewch i'ch swyddog prawf ymweld â chi gartref pan fyddan nhw'n gofyn.",
        },
        why={
            "en": "They need to see where you live and how you are getting on.",
            "cy": "Mae angen iddyn nhw weld ble rydych chi'n byw a sut rydych chi'n dod ymlaen.",
        },
    ),
    LicenceCondition(
        id="reside",
        legal="Reside permanently at an address approved by the supervising officer and obtain "
        "the prior permission of the supervising officer for any stay of one or more nights at "
        "a different address.",
        plain={
            "en": "Live at the address your probation officer agreed. Ask them first before "
            "you stay anywhere else for a night.",
            "cy": "Byw yn y cyfeiriad a gytunodd eich swyddog prawf. Gofynnwch iddyn nhw yn "
            "gyntaf cyn i chi aros yn rhywle arall am noson.",
        },
        why={
            "en": "Your probation officer must always know where you are staying.",
            "cy": "Rhaid i'ch swyddog prawf wybod bob amser ble rydych chi'n aros.",
        },
    ),
    LicenceCondition(
        id="work",
        legal="Not undertake work, or a particular type of work, unless it is approved by the "
        "supervising officer and notify the supervising officer in advance of any proposal to "
        "undertake work or a particular type of work.",
        plain={
            "en": "Ask your probation officer before you start a job or change the kind of "
            "work you do.",
            "cy": "Gofynnwch i'ch swyddog prawf cyn i chi ddechrau swydd neu newid y math o "
            "waith rydych chi'n ei wneud.",
        },
        why={
            "en": "Some jobs are not allowed for some people. Your officer checks that the job "
            "is safe for you and for others.",
            "cy": "Dydy rhai swyddi ddim yn cael eu caniatáu i rai pobl. Mae eich swyddog yn "
            "gwirio bod y swydd yn ddiogel i chi ac i eraill.",
        },
    ),
    LicenceCondition(
        id="no_travel_abroad",
        legal="Not travel outside the United Kingdom, the Channel Islands or the Isle of Man "
        "except with the prior permission of the supervising officer or for the purposes of "
        "immigration deportation or removal.",
        plain={
            "en": "Do not go outside the UK, the Channel Islands or the Isle of Man unless your "
            "probation officer says yes first.",
            "cy": "Peidiwch â mynd y tu allan i'r DU, Ynysoedd y Sianel nac Ynys Manaw oni bai "
            "bod eich swyddog prawf yn dweud ie yn gyntaf.",
        },
        why={
            "en": "You need to stay where your probation officer can support you.",
            "cy": "Mae angen i chi aros lle gall eich swyddog prawf eich cefnogi.",
        },
    ),
    LicenceCondition(
        id="other_names",
        legal="Tell the supervising officer if you use a name which is different to the name "
        "or names which appear on your licence.",
        plain={
            "en": "Tell your probation officer if you use a name that is not on your licence.",
            "cy": "Dywedwch wrth eich swyddog prawf os ydych chi'n defnyddio enw sydd ddim ar "
            "eich trwydded.",
        },
        why={
            "en": "So your officer and the services helping you always know it is you.",
            "cy": "Fel bod eich swyddog a'r gwasanaethau sy'n eich helpu bob amser yn gwybod "
            "mai chi ydych chi.",
        },
    ),
    LicenceCondition(
        id="contact_details",
        legal="Tell the supervising officer if you change or add any contact telephone "
        "numbers or email addresses.",
        plain={
            "en": "Tell your probation officer if you get a new phone number or email address.",
            "cy": "Dywedwch wrth eich swyddog prawf os cewch chi rif ffôn neu gyfeiriad e-bost "
            "newydd.",
        },
        why={
            "en": "Your officer must be able to reach you, for example to change an appointment.",
            "cy": "Rhaid i'ch swyddog allu cysylltu â chi, er enghraifft i newid apwyntiad.",
        },
    ),
)


def standard_conditions(language: str) -> list[tuple[str, str]]:
    """(plain wording, why) for each standard condition, in the person's language."""
    lang = language if language in ("en", "cy") else "en"
    return [(c.plain[lang], c.why[lang]) for c in STANDARD_CONDITIONS]
