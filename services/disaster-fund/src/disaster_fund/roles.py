"""Role names of the disaster fund and the role groups the routers use."""

CITIZEN = "vrf.citizen"
MUNICIPALITY = "vrf.municipality"
HANDLER = "vrf.handler"
EXPERT = "vrf.expert"
MANAGER = "vrf.manager"
KPI_READER = "kpi.reader"

STAFF = (HANDLER, MANAGER)
ANY_VRF = (CITIZEN, MUNICIPALITY, HANDLER, EXPERT, MANAGER)
