"""The default mapping of IBRS (NIBRS) offense codes to the taskforce's categories, and
the default flag rules. Codes are those in KCPD's crime data (see DOMAIN.md); labels are
NIBRS's names. Coordinators change the mapping afterwards on the offense-categories page; a data
migration writes these once.

- violent: homicide, kidnapping, sex offenses, robbery, assaults (crimes against persons
  and robbery, as the FBI's violent-crime measure counts it, with simple assault and
  intimidation added), human trafficking;
- domestic violence: no code of its own in NIBRS: incidents KCPD flags (DVFlag);
- firearm: weapon law violations, and incidents KCPD flags as firearm used;
- drug: drug/narcotic and drug equipment violations;
- property crime: arson, burglary, larceny/theft, motor vehicle theft, stolen property,
  vandalism (fraud, forgery and embezzlement are in the table with no category: they are
  rarely about the place);
- disorder: curfew/loitering, disorderly conduct, drunkenness, liquor laws, trespass,
  prostitution, gambling.
"""

from typing import Any

V, DV, F, D, P, X = "violent", "domestic_violence", "firearm", "drug", "property", "disorder"

CODES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("09A", "Murder and nonnegligent manslaughter", (V,)),
    ("09B", "Negligent manslaughter", (V,)),
    ("09C", "Justifiable homicide", ()),
    ("100", "Kidnapping/abduction", (V,)),
    ("11A", "Rape", (V,)),
    ("11B", "Sodomy", (V,)),
    ("11C", "Sexual assault with an object", (V,)),
    ("11D", "Fondling", (V,)),
    ("120", "Robbery", (V,)),
    ("13A", "Aggravated assault", (V,)),
    ("13B", "Simple assault", (V,)),
    ("13C", "Intimidation", (V,)),
    ("200", "Arson", (P,)),
    ("210", "Extortion/blackmail", ()),
    ("220", "Burglary/breaking and entering", (P,)),
    ("23A", "Pocket-picking", (P,)),
    ("23B", "Purse-snatching", (P,)),
    ("23C", "Shoplifting", (P,)),
    ("23D", "Theft from building", (P,)),
    ("23E", "Theft from coin-operated machine", (P,)),
    ("23F", "Theft from motor vehicle", (P,)),
    ("23G", "Theft of motor vehicle parts", (P,)),
    ("23H", "All other larceny", (P,)),
    ("240", "Motor vehicle theft", (P,)),
    ("250", "Counterfeiting/forgery", ()),
    ("26A", "False pretenses/swindle", ()),
    ("26B", "Credit card/ATM fraud", ()),
    ("26C", "Impersonation", ()),
    ("26D", "Welfare fraud", ()),
    ("26E", "Wire fraud", ()),
    ("26F", "Identity theft", ()),
    ("26G", "Hacking/computer invasion", ()),
    ("270", "Embezzlement", ()),
    ("280", "Stolen property offenses", (P,)),
    ("290", "Destruction/damage/vandalism of property", (P,)),
    ("35A", "Drug/narcotic violations", (D,)),
    ("35B", "Drug equipment violations", (D,)),
    ("36A", "Incest", (V,)),
    ("36B", "Statutory rape", (V,)),
    ("370", "Pornography/obscene material", ()),
    ("39A", "Betting/wagering", (X,)),
    ("39B", "Operating/promoting/assisting gambling", (X,)),
    ("39C", "Gambling equipment violations", (X,)),
    ("39D", "Sports tampering", ()),
    ("40A", "Prostitution", (X,)),
    ("40B", "Assisting or promoting prostitution", (X,)),
    ("40C", "Purchasing prostitution", (X,)),
    ("520", "Weapon law violations", (F,)),
    ("64A", "Human trafficking, commercial sex acts", (V,)),
    ("64B", "Human trafficking, involuntary servitude", (V,)),
    ("720", "Animal cruelty", ()),
    ("90A", "Bad checks", ()),
    ("90B", "Curfew/loitering/vagrancy violations", (X,)),
    ("90C", "Disorderly conduct", (X,)),
    ("90D", "Driving under the influence", ()),
    ("90E", "Drunkenness", (X,)),
    ("90F", "Family offenses, nonviolent", ()),
    ("90G", "Liquor law violations", (X,)),
    ("90J", "Trespass of real property", (X,)),
    ("90Z", "All other offenses", ()),
)

# name, category ("" = any incident), window days, at least, history factor
RULES: tuple[tuple[str, str, int, int, int | None], ...] = (
    ("Repeated violence", V, 90, 3, None),
    ("Repeated domestic violence", DV, 90, 3, None),
    ("Gun crime", F, 90, 2, None),
    ("Drug activity", D, 90, 3, None),
    ("Persistent disorder", X, 90, 5, None),
    ("Sudden rise", "", 30, 5, 3),
)


def write_defaults(offense_code: Any, flag_rule: Any) -> None:
    """Add the default codes that are missing, and the default rules if there are none.
    The migration passes its historical models; browser tests, whose flush removes what
    migrations wrote, pass the real ones."""
    for code, label, categories in CODES:
        offense_code.objects.get_or_create(
            code=code, defaults={"label": label, "categories": list(categories)}
        )
    if not flag_rule.objects.exists():
        for name, category, days, least, factor in RULES:
            flag_rule.objects.create(
                name=name,
                category=category,
                window_days=days,
                min_count=least,
                history_factor=factor,
            )
