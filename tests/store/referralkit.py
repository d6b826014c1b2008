"""Helpers of the referral tests: services on a test store and a hand-written urgent upload."""

from __future__ import annotations

from pathlib import Path

from screening.service.context import Services, open_services
from screening.service.uploads import UploadedFile, accept_upload
from screening.settings import Settings

# R1: worker W1 (17, foreign) was deceived about the job and threatened: ICLS-positive, urgent.
# R2: nothing found (low). R3: violence observed at the site, nobody interviewed: urgent.
# R4: an ICLS-positive adult national worker at a site without foreign workers or minors.
VISITS = b"""visit_id,site_id,visit_date,inspector_id,region,sector,workers_present,\
workers_without_contract,foreign_workers,foreign_workers_without_permit,minors_present,\
violence_observed
R1,S1,2026-11-30,I1,Baku,construction,10,0,2,0,0,
R2,S2,2026-11-30,I1,Ganja-Dashkasan,agriculture,5,0,0,0,0,
R3,S3,2026-11-30,I2,Baku,services,4,0,0,0,0,true
R4,S4,2026-11-30,I2,Absheron-Khizi,services,6,0,0,0,0,
"""
INTERVIEWS = b"""visit_id,worker_ref,age,foreign,deceived_about_job,threatened
R1,W1,17,true,true,true
R1,W2,30,false,false,false
R2,W3,40,false,false,false
R4,W7,35,false,true,true
R4,W8,29,false,,
"""


def services_on(engine, tmp_path: Path, **settings) -> Services:
    """Services on a test store, rules only (no model), with extra settings."""
    return open_services(Settings(data_dir=tmp_path, active_model="", **settings),
                         engine=engine)


def upload_urgent(services: Services, user=None, visits: bytes = VISITS,
                  interviews: bytes = INTERVIEWS):
    """Upload the hand-written visits and interviews through the service; the receipt."""
    return accept_upload(services, user, UploadedFile("visits.csv", visits),
                         UploadedFile("interviews.csv", interviews))
