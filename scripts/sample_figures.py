"""The figures and tables the sample inbox is built to reproduce.

Split from ``scripts/generate_sample_data.py`` (which writes the files): the Södermalm
figures reproduce those published in the lägesbild of 2023-01-10 (seed 003, see
``lagesbild/sample_data/README.md``); everything else is invented but fixed, so that the
generated inbox is byte-identical on every run. Only data here, no randomness.
"""

from __future__ import annotations

__all__ = [
    "AGE_OVERRIDES",
    "AGE_SHARES",
    "ASSAULT",
    "BRA_PATHS",
    "BRA_POP_NAME",
    "CITY",
    "CITY_2022",
    "CITY_AREA",
    "DESCRIPTIONS",
    "DRUGS",
    "ENDED",
    "FRID",
    "IA_OTHER",
    "IA_SOD",
    "LIV",
    "NORRA",
    "NORRMALM",
    "OSTERMALM",
    "PERSON",
    "POPULATION",
    "ROBBERY",
    "SDF",
    "SEX",
    "SE_GROUPS",
    "SE_WAVES",
    "SOD",
    "SOD_CRIME",
    "SOD_UNITS",
    "STOCKHOLMSENKATEN",
    "THEFT",
    "TOTAL",
    "TRYGGHETSMATNINGEN",
    "TRYGGHET_WAVES",
    "UNPUBLISHED",
    "YEARS",
]

# --- BRÅ and population ---------------------------------------------------------------
YEARS = range(2017, 2025)
SOD = "Stadsdelsområde Södermalm (Sthlm)"
CITY = "Stockholm kommun"
NORRMALM, OSTERMALM = "Stadsdelsområde Norrmalm (Sthlm)", "Stadsdelsområde Östermalm (Sthlm)"
NORRA = "Stadsdelsområde Norra innerstaden (Sthlm)"
ENDED = ("Norrmalm stadsdel (upphörde 2024-01-01)", "Östermalm stadsdel (upphörde 2024-01-01)")

# BRÅ category labels, and the export's tree: each path is printed in full (parents echoed
# before their children), which produces the exact duplicate rows of the real exports.
TOTAL, PERSON, LIV = "Samtliga brott", "3-7 kap. Brott mot person", "3 kap. Brott mot liv och hälsa"
ASSAULT, FRID = "därav misshandel inkl. grov", "4 kap. Brott mot frihet och frid"
SEX, THEFT = "6 kap. Sexualbrott", "8 kap. Stöld, rån och andra tillgreppsbrott"
ROBBERY, DRUGS = "därav rån inkl. grovt", "Narkotikabrott"
BRA_PATHS = ((TOTAL,), (PERSON,), (PERSON, LIV), (PERSON, LIV, ASSAULT), (PERSON, FRID),
             (PERSON, SEX), (THEFT,), (THEFT, ROBBERY), (DRUGS,))

# Södermalm's yearly totals 2017–2024. Reproduced from the seed lägesbild: total 2021 = 39 615
# (30 429 per 100 000), robberies 2020 = 298 (227 per 100 000), assault 1 273 per 100 000 in
# 2019 and 2020, narcotics falling 2017→2019 and "dryga 3000" in 2020. The rest is invented;
# 2023 robberies (+26 %) and 2024 narcotics (−21 %) are the significant changes.
SOD_CRIME: dict[str, tuple[int, ...]] = {
    TOTAL: (34250, 37900, 40600, 41870, 39615, 38900, 40150, 39950),
    LIV: (2010, 2065, 2090, 2080, 1985, 2030, 2070, 2050),
    ASSAULT: (1610, 1650, 1677, 1671, 1590, 1620, 1655, 1640),
    FRID: (2450, 2560, 2680, 2750, 2790, 2840, 2880, 2905),
    SEX: (390, 420, 405, 380, 395, 430, 415, 420),
    "person_other": (455, 470, 480, 490, 500, 505, 510, 515),
    THEFT: (15800, 17600, 19100, 19400, 17900, 17300, 18100, 17600),
    ROBBERY: (281, 276, 291, 298, 285, 290, 365, 372),
    DRUGS: (3480, 3120, 2710, 3060, 3010, 3120, 3150, 2480),
}
# BRÅ cells not published (".."): region, category, year, months.
UNPUBLISHED = {(SOD, PERSON, 2017): range(12), (CITY, SEX, 2018): (6,)}

# Population at 31 Dec. Södermalm 2021 = 130 189 (seed); 2020 chosen so that
# 298 robberies give 227 per 100 000; 2019 > 2020 so that assault "decreased somewhat" at
# an unchanged rate. Age shares are (0–15, 16–19, 20–24, 65–79, 80–); 25–64 is the rest.
POPULATION: dict[str, dict[int, int]] = {
    "Södermalm": dict(zip(YEARS, (130660, 131220, 131750, 131277, 130189, 130420, 130710,
                                  131050), strict=True)),
    "Stockholms stad": dict(zip(YEARS, (949761, 962154, 974073, 975551, 978770, 984748,
                                        988943, 995574), strict=True)),
    "Norrmalm": dict(zip(range(2019, 2024), (72340, 72010, 71620, 71980, 72250), strict=True)),
    "Östermalm": dict(zip(range(2019, 2024), (73050, 72640, 72380, 72750, 73020), strict=True)),
    "Norra innerstaden": {2024: 145690},
}
AGE_SHARES = {"Södermalm": (0.142, 0.0325, 0.059, 0.149, 0.0257),
              "Stockholms stad": (0.185, 0.042, 0.058, 0.118, 0.043),
              "Norrmalm": (0.128, 0.030, 0.071, 0.141, 0.041),
              "Östermalm": (0.171, 0.041, 0.054, 0.148, 0.058),
              "Norra innerstaden": (0.150, 0.036, 0.062, 0.145, 0.050)}
# Seed: 2021 shares 14,2 / 3,3 / 59,0 / 15,0 %; 16–19 and 65–79 grew from 2020 to 2021.
AGE_OVERRIDES = {("Södermalm", 2020): (18790, 4251, 8010, 19402, 3390),
                 ("Södermalm", 2021): (18487, 4296, 7720, 19528, 3346)}
BRA_POP_NAME = {SOD: "Södermalm", CITY: "Stockholms stad", NORRMALM: "Norrmalm",
                OSTERMALM: "Östermalm", NORRA: "Norra innerstaden"}

# --- surveys ------------------------------------------------------------------------------
SE_GROUPS = ("Åk 9 pojkar", "Åk 9 flickor", "Gy 2 pojkar", "Gy 2 flickor")
SE_WAVES = (2018, 2020, 2022, 2024)
# Södermalm shares per group (order of SE_GROUPS), per wave (2018, 2020, 2022, 2024); 2020 and
# 2022 reproduce the seed where it quotes them. Flags for 2022 from the seed ("j" = ja).
STOCKHOLMSENKATEN: dict[str, tuple[tuple[tuple[int, ...], ...], str]] = {
    "Utsatt för misshandel senaste 12 mån": (
        ((5, 7, 3, 4), (4, 6, 2, 3), (5, 6, 6, 5), (3, 3, 3, 4)), "jjnn"),
    "Allvarligt hotad": (((16, 18, 13, 14), (9, 11, 7, 8), (12, 13, 12, 11), (8, 9, 8, 8)), "nnnn"),
    "Rånad senaste 12 mån": (((4, 5, 4, 5), (3, 6, 1, 2), (4, 4, 3, 4), (2, 2, 2, 2)), "nnnn"),
    "Begått allvarligt egendomsbrott": (
        ((5, 6, 5, 4), (2, 3, 2, 2), (4, 5, 4, 4), (0, 0, 0, 1)), "nnnn"),
    "Snattat": (((30, 33, 24, 26), (31, 32, 36, 33), (24, 23, 22, 21), (22, 23, 26, 24)), "nnnn"),
    "Använt narkotika någon gång": (
        ((10, 12, 9, 10), (18, 25, 14, 15), (38, 40, 36, 38), (36, 38, 35, 33)), "nnnn"),
    "Storkonsumtion av alkohol": (
        ((14, 18, 13, 12), (15, 19, 12, 13), (33, 34, 31, 30), (31, 32, 33, 31)), "njnn"),
    "Känner sig trygg ute ensam sent en kväll": (
        ((83, 84, 81, 80), (67, 68, 60, 51), (89, 90, 85, 86), (70, 71, 69, 70)), "njjn"),
}
# City reference: the seed says Södermalm's boys are "något högre" (threatened) and both
# sexes "något under" (robbed) the city average in 2022.
CITY_2022 = {("Allvarligt hotad", 0): 11, ("Rånad senaste 12 mån", 0): 5,
             ("Rånad senaste 12 mån", 1): 3}
TRYGGHET_WAVES = (2017, 2020, 2023)
CITY_AREA = "Stockholms stad"  # the city's display name in the areas configuration
# (Södermalm 2017, 2020, 2023), (Stockholms stad 2017, 2020, 2023)
TRYGGHETSMATNINGEN = {
    "Oro att utsättas för brott": ((8, 6, 7), (11, 10, 11)),
    "Utsatt för misshandel": ((2, 2, 2), (2, 2, 3)),
    "Utsatt för sexuella trakasserier": ((6, 4, 5), (6, 5, 5)),
    "Otrygg, avstår från att gå ut på kvällen": ((6, 5, 6), (11, 10, 10)),
    "Berusade personer upplevs som problem": ((14, 12, 15), (10, 9, 10)),
    "Narkotikamissbrukare på offentliga platser upplevs som problem": ((11, 13, 17), (8, 8, 10)),
}


# --- IA incident export -------------------------------------------------------------------
SDF = "Södermalms stadsdelsförvaltning"
# Södermalm: counts 1 Jan – 15 Nov for 2017–2024 (2019–2022 of Hot and Otillåten påverkan
# reproduce the seed), then counts 16 Nov – 31 Dec for 2017–2023.
IA_SOD = {
    "Hot": ((85, 92, 100, 62, 51, 50, 58, 71), (11, 13, 14, 9, 8, 7, 9)),
    "Otillåten påverkan": ((0, 0, 0, 0, 6, 47, 52, 64), (0, 0, 0, 0, 2, 6, 8)),
    "Våld": ((31, 27, 34, 25, 29, 33, 30, 41), (5, 4, 6, 3, 4, 5, 6)),
    "Trakasserier": ((12, 15, 14, 11, 16, 18, 21, 19), (2, 3, 2, 1, 3, 2, 3)),
    "Våldsbejakande extremism": ((1, 0, 2, 1, 0, 1, 2, 1), (0, 0, 0, 1, 0, 0, 0)),
}
SOD_UNITS = ("Sociala avdelningen, Barn och ungdom", "Sociala avdelningen, Vuxenenheten",
             "Sociala avdelningen, Ekonomiskt bistånd", "Äldreomsorgsavdelningen",
             "Avdelningen för stadsmiljö och kultur", "Förskoleavdelningen")
# Other organisations' rows, which an area's run must filter out: units, mean yearly counts.
IA_OTHER = {
    "Utbildningsförvaltningen": (("Grundskoleavdelningen, område 6",
                                  "Grundskoleavdelningen, område 3"),
                                 {"Hot": 6, "Våld": 9, "Trakasserier": 3}, YEARS),
    "Norrmalms stadsdelsförvaltning": (("Sociala avdelningen", "Äldreomsorgsavdelningen"),
                                       {"Hot": 40, "Våld": 15, "Otillåten påverkan": 8},
                                       range(2017, 2024)),
    "Norra innerstadens stadsdelsförvaltning": (
        ("Sociala avdelningen", "Avdelningen för stadsmiljö och kultur"),
        {"Hot": 65, "Våld": 24, "Otillåten påverkan": 20, "Trakasserier": 9}, (2024,)),
}
DESCRIPTIONS = {
    "Hot": ("Besökare uttryckte hot mot personal i receptionen.",
            "Klient hotade handläggare per telefon efter ett beslut.",
            "Hotfullt uppträdande mot personal vid hembesök.",
            "Anhörig framförde hot mot personal i samband med ett möte."),
    "Otillåten påverkan": ("Klient försökte genom upprepade påtryckningar få ett beslut ändrat.",
                           "Personal filmades mot sin vilja i samband med ett möte.",
                           "Upprepade kontaktförsök till handläggare utanför arbetstid.",
                           "Erbjudande om gåva i samband med en pågående utredning."),
    "Våld": ("Boende knuffade personal i samband med omvårdnad.",
             "Besökare slog mot personal vid entrén.",
             "Elev sparkade personal under rasten."),
    "Trakasserier": ("Nedsättande kommentarer om personal publicerades i sociala medier.",
                     "Personal utsattes för upprepade kränkande kommentarer."),
    "Våldsbejakande extremism": ("Klotter med extremistiska symboler upptäcktes vid entrén.",
                                 "Besökare uttryckte stöd för våldsbejakande budskap."),
}
