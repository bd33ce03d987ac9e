"""Using data and licences (用证、用数): prefilling a form, exempting materials, recording each use."""

SPOUSE_PREFIX = "spouse_"  # materials about the applicant's spouse (spouse_id_card …)
