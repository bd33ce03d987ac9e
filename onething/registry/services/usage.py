"""Using data and licences (用证、用数): prefilling a form, exempting materials, recording each use."""

SPOUSE_PREFIX = "spouse_"  # materials about the applicant's spouse (spouse_id_card …)
LEGAL_REP_PREFIX = "legal_rep_"  # about an entity's legal representative (legal_rep_id_card)
