"""USPS Publication 28 reference tables, as data: street suffixes (appendix C1), secondary
unit designators (C2), directionals, state abbreviations, and the states of ZIP prefixes.

Each table maps every written form we accept to the Postal Service standard form, and
every standard form to itself, so standardising twice changes nothing.
"""

from types import MappingProxyType


def _table(text: str) -> MappingProxyType[str, str]:
    """Lines of "STANDARD variant variant …" → {variant: STANDARD, STANDARD: STANDARD}."""
    table: dict[str, str] = {}
    for row in text.strip().splitlines():
        standard, *variants = row.split()
        for form in (standard, *variants):
            table.setdefault(form, standard)
    return MappingProxyType(table)


# Appendix C1: the standard suffix abbreviation first, then the forms that mean it.
STREET_SUFFIXES = _table(
    """
    ALY ALLEE ALLEY ALLY
    ANX ANEX ANNEX ANNX
    ARC ARCADE
    AVE AV AVEN AVENU AVENUE AVN AVNUE
    BYU BAYOO BAYOU
    BCH BEACH
    BND BEND
    BLF BLUF BLUFF
    BLFS BLUFFS
    BTM BOT BOTTM BOTTOM
    BLVD BL BOUL BOULEVARD BOULV
    BR BRNCH BRANCH
    BRG BRDGE BRIDGE
    BRK BROOK
    BRKS BROOKS
    BG BURG
    BGS BURGS
    BYP BYPA BYPAS BYPASS BYPS
    CP CAMP CMP
    CYN CANYN CANYON CNYN
    CPE CAPE
    CSWY CAUSEWAY CAUSWA
    CTR CEN CENT CENTER CENTR CENTRE CNTER CNTR
    CTRS CENTERS
    CIR CI CIRC CIRCL CIRCLE CRCL CRCLE
    CIRS CIRCLES
    CLF CLIFF
    CLFS CLIFFS
    CLB CLUB
    CMN COMMON
    CMNS COMMONS
    COR CORNER
    CORS CORNERS
    CRSE COURSE
    CT COURT
    CTS COURTS
    CV COVE
    CVS COVES
    CRK CREEK
    CRES CRESCENT CRSENT CRSNT
    CRST CREST
    XING CROSSING CRSSNG
    XRD CROSSROAD
    XRDS CROSSROADS
    CURV CURVE
    DL DALE
    DM DAM
    DV DIV DIVIDE DVD
    DR DRIV DRIVE DRV
    DRS DRIVES
    EST ESTATE
    ESTS ESTATES
    EXPY EXP EXPR EXPRESS EXPRESSWAY EXPW
    EXT EXTENSION EXTN EXTNSN
    EXTS EXTENSIONS
    FALL
    FLS FALLS
    FRY FERRY FRRY
    FLD FIELD
    FLDS FIELDS
    FLT FLAT
    FLTS FLATS
    FRD FORD
    FRDS FORDS
    FRST FOREST FORESTS
    FRG FORG FORGE
    FRGS FORGES
    FRK FORK
    FRKS FORKS
    FT FORT FRT
    FWY FREEWAY FREEWY FRWAY FRWY
    GDN GARDEN GARDN GRDEN GRDN
    GDNS GARDENS GRDNS
    GTWY GATEWAY GATEWY GATWAY GTWAY
    GLN GLEN
    GLNS GLENS
    GRN GREEN
    GRNS GREENS
    GRV GROV GROVE
    GRVS GROVES
    HBR HARB HARBOR HARBR HRBOR
    HBRS HARBORS
    HVN HAVEN
    HTS HT HEIGHTS
    HWY HW HIGHWAY HIGHWY HIWAY HIWY HWAY
    HL HILL
    HLS HILLS
    HOLW HLLW HOLLOW HOLLOWS HOLWS
    INLT INLET
    IS ISLAND ISLND
    ISS ISLANDS ISLNDS
    ISLE ISLES
    JCT JCTION JCTN JUNCTION JUNCTN JUNCTON
    JCTS JCTNS JUNCTIONS
    KY KEY
    KYS KEYS
    KNL KNOL KNOLL
    KNLS KNOLLS
    LK LAKE
    LKS LAKES
    LAND
    LNDG LANDING LNDNG
    LN LANE
    LGT LIGHT
    LGTS LIGHTS
    LF LOAF
    LCK LOCK
    LCKS LOCKS
    LDG LDGE LODG LODGE
    LOOP LOOPS
    MALL
    MNR MANOR
    MNRS MANORS
    MDW MEADOW
    MDWS MEADOWS MEDOWS
    MEWS
    ML MILL
    MLS MILLS
    MSN MISSN MSSN MISSION
    MTWY MOTORWAY
    MT MNT MOUNT
    MTN MNTAIN MNTN MOUNTAIN MOUNTIN MTIN
    MTNS MNTNS MOUNTAINS
    NCK NECK
    ORCH ORCHARD ORCHRD
    OVAL OVL
    OPAS OVERPASS
    PARK PRK PARKS
    PKWY PK PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS
    PASS
    PSGE PASSAGE
    PATH PATHS
    PIKE PIKES
    PNE PINE
    PNES PINES
    PL PLACE
    PLN PLAIN
    PLNS PLAINS
    PLZ PLAZA PLZA
    PT POINT
    PTS POINTS
    PRT PORT
    PRTS PORTS
    PR PRAIRIE PRR
    RADL RAD RADIAL RADIEL
    RAMP RA
    RNCH RANCH RANCHES RNCHS
    RPD RAPID
    RPDS RAPIDS
    RST REST
    RDG RDGE RIDGE
    RDGS RIDGES
    RIV RIVER RVR RIVR
    RD ROAD
    RDS ROADS
    RTE ROUTE
    ROW
    RUE
    RUN
    SHL SHOAL
    SHLS SHOALS
    SHR SHOAR SHORE
    SHRS SHOARS SHORES
    SKWY SKYWAY
    SPG SPNG SPRING SPRNG
    SPGS SPNGS SPRINGS SPRNGS
    SPUR SPURS
    SQ SQR SQRE SQU SQUARE
    SQS SQRS SQUARES
    STA STATION STATN STN
    STRA STRAV STRAVEN STRAVENUE STRAVN STRVN STRVNUE
    STRM STREAM STREME
    ST STREET STRT STR
    STS STREETS
    SMT SUMIT SUMITT SUMMIT
    TER TE TERR TERRACE
    TRWY THROUGHWAY
    TRCE TRACE TRACES
    TRAK TRACK TRACKS TRK TRKS
    TRFY TR TW TRAFFICWAY
    TRL TRAIL TRAILS TRLS
    TRLR TRAILER TRLRS
    TUNL TUNEL TUNLS TUNNEL TUNNELS TUNNL
    TPKE TRNPK TURNPIKE TURNPK
    UPAS UNDERPASS
    UN UNION
    UNS UNIONS
    VLY VALLEY VALLY VLLY
    VLYS VALLEYS
    VIA VDCT VIADCT VIADUCT
    VW VIEW
    VWS VIEWS
    VLG VILL VILLAG VILLAGE VILLG VILLIAGE
    VLGS VILLAGES
    VL VILLE
    VIS VIST VISTA VST VSTA
    WALK WALKS
    WALL
    WAY WY WA
    WAYS
    WL WELL
    WLS WELLS
    """
)
# Kansas City police abbreviations that differ from Publication 28, folded in above: AV
# (AVE), BL (BLVD), CI (CIR), HW (HWY), PK (PKWY: "SWOPE PK" is Swope Parkway), RA
# (RAMP), TE (TER), TR and TW (TRFY: Kansas City's trafficways, "EASTWOOD TR"), WA (WAY).
KCPD_SUFFIXES = frozenset({"AV", "BL", "CI", "HW", "PK", "RA", "TE", "TR", "TW", "WA"})

# Suffixes of numbered routes: the number before them is a route, not an ordinal street.
ROUTE_SUFFIXES = frozenset({"HWY", "FWY", "EXPY", "RTE", "RAMP", "TPKE", "BYP", "MTWY", "SKWY"})

DIRECTIONALS = _table(
    """
    N NORTH
    S SOUTH
    E EAST
    W WEST
    NE NORTHEAST
    NW NORTHWEST
    SE SOUTHEAST
    SW SOUTHWEST
    """
)

# Appendix C2: secondary unit designators. Those in UNIT_ALONE take no number.
UNIT_DESIGNATORS = _table(
    """
    APT APARTMENT
    BSMT BASEMENT
    BLDG BUILDING
    DEPT DEPARTMENT
    FL FLOOR
    FRNT FRONT
    HNGR HANGAR HANGER
    LBBY LOBBY
    LOT
    LOWR LOWER
    OFC OFFICE
    PH PENTHOUSE
    PIER
    REAR
    RM ROOM
    SIDE
    SLIP
    SPC SPACE
    STOP
    STE SUITE
    TRLR TRAILER
    UNIT
    UPPR UPPER
    """
)
UNIT_ALONE = frozenset({"BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPR"})


def _states(text: str) -> MappingProxyType[str, str]:
    """Lines of "CODE FULL NAME" → {CODE: CODE, FULL NAME: CODE}."""
    table: dict[str, str] = {}
    for row in text.strip().splitlines():
        code, name = row.strip().split(" ", 1)
        table[code] = table[name] = code
    return MappingProxyType(table)


STATES = _states(
    """
    AL ALABAMA
    AK ALASKA
    AZ ARIZONA
    AR ARKANSAS
    CA CALIFORNIA
    CO COLORADO
    CT CONNECTICUT
    DE DELAWARE
    DC DISTRICT OF COLUMBIA
    FL FLORIDA
    GA GEORGIA
    HI HAWAII
    ID IDAHO
    IL ILLINOIS
    IN INDIANA
    IA IOWA
    KS KANSAS
    KY KENTUCKY
    LA LOUISIANA
    ME MAINE
    MD MARYLAND
    MA MASSACHUSETTS
    MI MICHIGAN
    MN MINNESOTA
    MS MISSISSIPPI
    MO MISSOURI
    MT MONTANA
    NE NEBRASKA
    NV NEVADA
    NH NEW HAMPSHIRE
    NJ NEW JERSEY
    NM NEW MEXICO
    NY NEW YORK
    NC NORTH CAROLINA
    ND NORTH DAKOTA
    OH OHIO
    OK OKLAHOMA
    OR OREGON
    PA PENNSYLVANIA
    RI RHODE ISLAND
    SC SOUTH CAROLINA
    SD SOUTH DAKOTA
    TN TENNESSEE
    TX TEXAS
    UT UTAH
    VT VERMONT
    VA VIRGINIA
    WA WASHINGTON
    WV WEST VIRGINIA
    WI WISCONSIN
    WY WYOMING
    PR PUERTO RICO
    VI VIRGIN ISLANDS
    GU GUAM
    """
)

# The state of each range of ZIP prefixes (first three digits), from the USPS prefix list.
# Military (AA/AE/AP) and unassigned prefixes are left out: their ZIPs imply no state.
_ZIP3_RANGES = """
005 005 NY
006 009 PR
010 027 MA
028 029 RI
030 038 NH
039 049 ME
050 054 VT
055 055 MA
056 059 VT
060 069 CT
070 089 NJ
100 149 NY
150 196 PA
197 199 DE
200 205 DC
206 219 MD
220 246 VA
247 268 WV
270 289 NC
290 299 SC
300 319 GA
320 339 FL
341 349 FL
350 369 AL
370 385 TN
386 397 MS
398 399 GA
400 427 KY
430 459 OH
460 479 IN
480 499 MI
500 528 IA
530 549 WI
550 567 MN
570 577 SD
580 588 ND
590 599 MT
600 629 IL
630 658 MO
660 679 KS
680 693 NE
700 714 LA
716 729 AR
730 749 OK
750 799 TX
800 816 CO
820 831 WY
832 838 ID
840 847 UT
850 865 AZ
870 884 NM
885 885 TX
889 898 NV
900 961 CA
967 968 HI
969 969 GU
970 979 OR
980 994 WA
995 999 AK
"""


def _zip3_states() -> MappingProxyType[str, str]:
    table: dict[str, str] = {}
    for row in _ZIP3_RANGES.strip().splitlines():
        low, high, state = row.split()
        for prefix in range(int(low), int(high) + 1):
            table[f"{prefix:03d}"] = state
    return MappingProxyType(table)


ZIP3_STATE = _zip3_states()
