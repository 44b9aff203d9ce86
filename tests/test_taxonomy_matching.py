"""The shipped taxonomy on realistic sentences: the misses of issue 12, German inflections,
French texts, and terms that are technologies only in context."""

from __future__ import annotations

import pytest

from pipeline import taxonomy


@pytest.fixture(scope="module")
def tax() -> taxonomy.Taxonomy:
    return taxonomy.load()


def found(tax: taxonomy.Taxonomy, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], tech_id) for s, e, tech_id in tax.find(text)]


def ids(tax: taxonomy.Taxonomy, text: str) -> set[str]:
    return {tech_id for _, _, tech_id in tax.find(text)}


@pytest.mark.parametrize(
    ("sentence", "term", "tech_id"),
    [
        (
            "The start-up measures methane leaks with laser absorption spectroscopy from drones.",
            "laser absorption spectroscopy",
            "laser_absorption_spectroscopy",
        ),
        (
            "Its sensors use mid-infrared quantum cascade lasers to detect trace gases.",
            "quantum cascade lasers",
            "quantum_cascade_laser",
        ),
        (
            "The solar thermal power plant near Seville stores heat for the night.",
            "solar thermal power plant",
            "concentrated_solar_power",
        ),
        (
            "Heat is kept in molten salt storage tanks for up to ten hours.",
            "molten salt storage",
            "molten_salt_storage",
        ),
        (
            "Every controller is validated on a hardware-in-the-loop test bench before delivery.",
            "hardware-in-the-loop test",
            "hardware_in_the_loop",
        ),
        (
            "The cabinets are connected via Ethernet to the control room.",
            "Ethernet",
            "industrial_ethernet",
        ),
        (
            "The library's access points support 802.11ac and the newer 802.11ax.",
            "802.11ac",
            "wifi_standards",
        ),
        (
            "The clinic bought a handheld ultrasound device for home visits.",
            "handheld ultrasound",
            "ultrasound",
        ),
        (
            "Police installed licence-plate readers at both ends of the bridge.",
            "licence-plate readers",
            "anpr",
        ),
        (
            "The city council voted to expand the gunshot detection system to two more districts.",
            "gunshot detection system",
            "gunshot_detection",
        ),
        (
            "The airline signed an offtake agreement for carbon removal credits.",
            "carbon removal",
            "carbon_removal",
        ),
        (
            "The publisher sells its inventory through programmatic advertising.",
            "programmatic advertising",
            "programmatic_advertising",
        ),
        (
            "Wireless patient monitoring frees nurses on the night shift.",
            "patient monitoring",
            "patient_monitoring",
        ),
        (
            "Die Kameras zur automatischen Kennzeichenerkennung werden abgebaut.",
            "automatischen Kennzeichenerkennung",
            "anpr",
        ),
    ],
)
def test_the_misses_of_issue_12_are_found(
    tax: taxonomy.Taxonomy, sentence: str, term: str, tech_id: str
) -> None:
    assert (term, tech_id) in found(tax, sentence)


def test_abbreviations_of_the_new_entries(tax: taxonomy.Taxonomy) -> None:
    assert ids(tax, "ANPR cameras and a HIL rig; TDLAS and QCL sensors.") == {
        "anpr",
        "hardware_in_the_loop",
        "laser_absorption_spectroscopy",
        "quantum_cascade_laser",
    }


@pytest.mark.parametrize(
    ("sentence", "term", "tech_id"),
    [
        (
            "Der Ausbau erneuerbarer Energien kommt voran.",
            "erneuerbarer Energien",
            "renewable_energy",
        ),
        (
            "Die Stadtwerke setzen auf den Ausbau der erneuerbaren Energien.",
            "erneuerbaren Energien",
            "renewable_energy",
        ),
        (
            "Der Einsatz künstlicher Intelligenz in der Verwaltung.",
            "künstlicher Intelligenz",
            "artificial_intelligence",
        ),
        (
            "Die Daten des digitalen Zwillings fließen ins Rathaus.",
            "digitalen Zwillings",
            "digital_twin",
        ),
        (
            "Der Aufbau intelligenter Stromnetze kostet Milliarden.",
            "intelligenter Stromnetze",
            "smart_grid",
        ),
        (
            "Tests mit autonomen Fahrzeugen beginnen im Mai.",
            "autonomen Fahrzeugen",
            "autonomous_driving",
        ),
        ("Die Firma baut ein privates Mobilfunknetz.", "privates Mobilfunknetz", "private_5g"),
        ("Das Werk betreibt ein eigenes, privates 5G-Campusnetz.", "5G-Campusnetz", "private_5g"),
        (
            "Die Wärme wird in Flüssigsalzspeichern gespeichert.",
            "Flüssigsalzspeichern",
            "molten_salt_storage",
        ),
        ("Am Bahnhof stehen jetzt Kennzeichenlesegeräte.", "Kennzeichenlesegeräte", "anpr"),
        (
            "Die Klinik nutzt ein neues Patientenüberwachungssystem.",
            "Patientenüberwachungssystem",
            "patient_monitoring",
        ),
    ],
)
def test_german_inflected_forms_are_found(
    tax: taxonomy.Taxonomy, sentence: str, term: str, tech_id: str
) -> None:
    assert (term, tech_id) in found(tax, sentence)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "La ville mise sur l'intelligence artificielle et l'IA générative.",
            {
                ("intelligence artificielle", "artificial_intelligence"),
                ("IA générative", "generative_ai"),
            },
        ),
        (
            "Les véhicules électriques et les pompes à chaleur réduisent les émissions.",
            {("véhicules électriques", "electric_vehicles"), ("pompes à chaleur", "heat_pump")},
        ),
        (
            "Le déploiement de la 5G et de l'internet des objets dans les centres de données.",
            {
                ("5G", "five_g"),
                ("internet des objets", "internet_of_things"),
                ("centres de données", "data_centre"),
            },
        ),
        (
            "La production d'hydrogène vert alimentera les bus de la métropole.",
            {("hydrogène vert", "hydrogen")},
        ),
        (
            "Des réseaux électriques intelligents et des panneaux solaires sur les écoles.",
            {
                ("réseaux électriques intelligents", "smart_grid"),
                ("panneaux solaires", "solar_power"),
            },
        ),
        (
            "L'entreprise investit dans l'informatique quantique et la cybersécurité.",
            {("informatique quantique", "quantum_computing"), ("cybersécurité", "cybersecurity")},
        ),
        (
            "Le CHU déploie l'échographie portable et la télémédecine.",
            {("échographie", "ultrasound"), ("télémédecine", "telemedicine")},
        ),
    ],
)
def test_french_texts_are_matched(
    tax: taxonomy.Taxonomy, sentence: str, expected: set[tuple[str, str]]
) -> None:
    assert expected <= set(found(tax, sentence))


def test_cloud_needs_computing_context(tax: taxonomy.Taxonomy) -> None:
    assert "cloud_computing" not in ids(
        tax, "Clouds of gas drifted over the valley after the fire."
    )
    assert "cloud_computing" not in ids(tax, "Dark clouds and heavy rain closed the harbour.")
    assert ("cloud", "cloud_computing") in found(
        tax, "The council moved its services to the cloud last year."
    )
    assert ("Cloud", "cloud_computing") in found(tax, "Die Daten liegen künftig in der Cloud.")
    # A hyphenated compound is context of its own; the full term needs none.
    assert ("Cloud-Umgebung", "cloud_computing") in found(tax, "Er arbeitet in der Cloud-Umgebung.")
    assert ("cloud computing", "cloud_computing") in found(
        tax, "Clouds aside, cloud computing grew."
    )


def test_hydrogen_needs_energy_context(tax: taxonomy.Taxonomy) -> None:
    assert "hydrogen" not in ids(tax, "Hydrogen is the lightest element of all.")
    assert "hydrogen" not in ids(tax, "The tanks were cleaned with hydrogen peroxide.")
    assert ("hydrogen", "hydrogen") in found(
        tax, "The city will run 20 buses on hydrogen from 2026."
    )
    assert ("Wasserstoff", "hydrogen") in found(
        tax, "Der Wasserstoff wird per Elektrolyse im Hafen erzeugt."
    )
    assert ("hydrogène", "hydrogen") in found(tax, "Une station de l'hydrogène pour les bus.")
    # Terms that name the technology by themselves need no context.
    assert ("Green hydrogen", "hydrogen") in found(tax, "Green hydrogen is the lightest of fuels.")


def test_programmatic_and_programming_languages_need_context(tax: taxonomy.Taxonomy) -> None:
    assert "programmatic_advertising" not in ids(tax, "The party took a programmatic turn.")
    assert "programmatic_advertising" in ids(
        tax, "Sales of programmatic and display campaigns rose."
    )
    assert "programming_languages" not in ids(tax, "Rust on the old bridge was removed.")
    assert "programming_languages" not in ids(tax, "Ferries sail from Java to Bali daily.")
    assert "programming_languages" in ids(tax, "The tools are written in Python and Rust code.")


def test_generated_forms_of_each_language() -> None:
    assert set(taxonomy.german_forms("erneuerbare Energien")) == {
        "erneuerbar Energien".replace("erneuerbar ", f"erneuerbar{e} ")
        for e in ("en", "er", "es", "em")
    }
    assert taxonomy.german_forms("Internet der Dinge") == []  # "der" is no adjective
    assert taxonomy.french_forms("pompe à chaleur") == ["pompes à chaleur"]
    assert taxonomy.french_forms("réseau électrique intelligent") == [
        "réseaux électriques intelligents"
    ]
    assert taxonomy.french_forms("centre de données") == ["centres de données"]
    assert taxonomy.french_forms("cybersécurité") == []
