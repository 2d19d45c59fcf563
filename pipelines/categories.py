"""Controlled vocabularies shared by readers, the demo generator, marts and pages.

Stored values are Swedish words as users write them; docs/tables.md lists them.
"""

INCIDENT_TYPES = (
    "skottlossning",
    "explosion",
    "mord/dråp",
    "våldsbrott",
    "rån",
    "hot",
    "vapenbrott",
    "narkotikabrott",
    "inbrott",
    "stöld",
    "skadegörelse",
    "brand",
    "bedrägeri",
    "övrigt",
)
# The headline groups the overview shows.
HEADLINE_TYPES = {
    "skjutningar": ("skottlossning",),
    "explosioner": ("explosion",),
    "våld": ("mord/dråp", "våldsbrott", "rån", "hot"),
}

SIGNAL_SOURCES = ("polis", "socialtjänst", "skola", "fritid", "SiS/HVB")
SIGNAL_TYPES = (
    "rekryteringsförsök",
    "avvikelse från HVB/SiS",
    "kontakt via sociala medier",
    "orosanmälan med koppling till kriminella nätverk",
)
SIGNAL_AGE_BANDS = ("under 12", "12-14", "15-17", "18-20")
SEXES = ("M", "K", "X")  # pojke/man, flicka/kvinna, okänt
SEX_LABELS = {"M": "Pojkar", "K": "Flickor", "X": "Okänt kön"}

POPULATION_AGE_BANDS = ("0-11", "12-14", "15-17", "18-24", "25-64", "65+")
YOUTH_AGE_BANDS = ("12-14", "15-17")  # together: the 12-17 band used for rates

MEASURE_STATUSES = ("uppnådd", "delvis uppnådd", "påbörjad", "ej uppnådd", "ej bedömd")
PRIORITISED_AREAS = (
    "Unga i riskzon för destruktivt beteende",
    "Otrygga och brottsutsatta platser",
    "Systemhotande brottslighet",
    "Särskilt utsatta och sårbara brottsoffer",
    "Kriminella miljöer och livsstilar",
)
OWN_AREA = "Eget prioriterat område"
FOLLOWUP_ROUNDS = ("T1", "T2", "T3", "VB")

# A load's status in load_log, as the Data page and `python -m pipelines status` say it.
LOAD_STATUS_LABELS = {"ok": "inläst", "replaced": "ersatt av en ny version", "removed": "borttagen"}
